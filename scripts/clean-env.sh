#!/usr/bin/env bash
# usage: bash scripts/clean-env.sh NODE_BIN_DIR COMMAND [ARGS...]
# Runs COMMAND with exactly what an install step needs and nothing of the caller's environment:
# started through `npm run`, a script inherits npm_config_* (nodedir, node_gyp, ...), npm_node_execpath
# and npm's PATH entries, which steer an inner npm or node-gyp to the outer Node. Kept: HOME, a PATH with
# NODE_BIN_DIR first, the machine's proxy and TLS trust settings (a Node from npm trusts only its bundled
# CAs; NODE_EXTRA_CA_CERTS defaults to the system bundle so a machine's own CA is trusted too).
set -euo pipefail
bin=${1:?usage: clean-env.sh NODE_BIN_DIR COMMAND [ARGS...]}; shift
: "${HOME:?HOME must be set}"
pass=(HOME="$HOME" PATH="$bin:/usr/local/bin:/usr/bin:/bin" LANG=C.UTF-8)
for v in HTTP_PROXY HTTPS_PROXY NO_PROXY http_proxy https_proxy no_proxy NPM_CONFIG_USERCONFIG NPM_CONFIG_REGISTRY \
         NODE_EXTRA_CA_CERTS SSL_CERT_FILE SSL_CERT_DIR TMPDIR XDG_CACHE_HOME; do
  [ -n "${!v:-}" ] && pass+=("$v=${!v}")
done
if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  pass+=(NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt)
fi
exec env -i "${pass[@]}" "$@"
