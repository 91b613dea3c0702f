#!/usr/bin/env bash
# usage: bash scripts/stage-native.sh OUT_DIR
# Puts the better-sqlite3 12 module that npm built for this machine's Node into
# OUT_DIR/<platform>-<arch>-abi<N>/better_sqlite3.node, where the bundled daemon looks for the module of
# the Node it runs on (daemon/store/sqliteBinding.ts). That is the Node 20 driver; Node 22 and newer use
# better-sqlite3 13's Node-API prebuilds (node_modules/better-sqlite3-napi/prebuilds), on every platform.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: stage-native.sh OUT_DIR}
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -lt 22 ] || { echo "stage-native.sh: run it under Node 20 (this is Node $major, which uses the Node-API driver)" >&2; exit 1; }
target="$out/$(node -p 'process.platform + "-" + process.arch + "-abi" + process.versions.modules')"
rm -rf "$out" && mkdir -p "$target"
cp node_modules/better-sqlite3/build/Release/better_sqlite3.node "$target/"
node -e "process.dlopen({ exports: {} }, require('path').resolve('$target/better_sqlite3.node'))"
echo "$target"
