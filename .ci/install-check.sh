#!/usr/bin/env bash
# The install layer: what users install, installed as they would. (1) The VSIX made by vsce, unpacked,
# its daemon started on Node 20, 22 and 24 (Node binaries from npm), ingesting and answering; and a
# daemon whose SQLite module cannot load on its Node, which must exit 78 with the fix in plain words.
# (2) The npm package made by `npm pack`, installed into an empty project on Node 20 without the repo's
# dev dependencies: `npx flowtune demo`, `npx flowtune daemon`, `npx flowtune run`.
# Prints "install: N passed, N failed" and the sizes; exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
NODE22=$(bash scripts/node-binary.sh 22.23.5)
NODE24=$(bash scripts/node-binary.sh 24.21.0)
work=$(mktemp -d -t flowtune-install.XXXXXX)
passed=0 failed=0
check() { # check NAME COMMAND...: one case, its output indented
  local name=$1; shift
  if "$@" > "$work/case.out" 2>&1; then passed=$((passed + 1)); echo "  ✓ $name"; else failed=$((failed + 1)); echo "  ✗ $name"; fi
  sed 's/^/      /' "$work/case.out" | tail -20
}
finish() {
  echo "install: $passed passed, $failed failed"
  if [ "$failed" -eq 0 ]; then rm -rf "$work"; else echo "[install] kept $work for diagnosis"; fi
}
trap finish EXIT

# 1) The VSIX.
npx vsce package --out "$work/flowtune.vsix" > "$work/vsce.log" 2>&1 || { cat "$work/vsce.log"; failed=$((failed + 1)); exit 1; }
files=$(unzip -Z1 "$work/flowtune.vsix" | grep -c '^extension/')
echo "[install] VSIX: $(stat -c %s "$work/flowtune.vsix") bytes, $files files"
unzip -q "$work/flowtune.vsix" -d "$work/vsix"
ext="$work/vsix/extension"
for node in "$(command -v node)" "$NODE22/bin/node" "$NODE24/bin/node"; do
  check "the VSIX's daemon on Node $("$node" --version)" node test/install/daemonSmoke.mjs "$node" "$ext/dist/daemon/cli.js"
done
# Node 20 without a module for its ABI (as on a platform the VSIX has none for): plain words, exit 78.
cp -r "$ext" "$work/no-native" && rm -rf "$work/no-native/dist/native"
check "a daemon without a SQLite module for its Node says what to run" node test/install/daemonSmoke.mjs "$(command -v node)" "$work/no-native/dist/daemon/cli.js" --expect-native-error

# 2) The npm package, in an empty project, with a clean environment and the machine's npm settings.
(cd "$work" && npm pack --silent "$repo" > pack.out 2>&1) || { cat "$work/pack.out"; failed=$((failed + 1)); exit 1; }
tgz="$work/$(tail -1 "$work/pack.out")"
echo "[install] npm package: $(stat -c %s "$tgz") bytes ($(tar tzf "$tgz" | wc -l) files)"
mkdir -p "$work/project" && echo '{ "name": "empty-project", "private": true }' > "$work/project/package.json"
in_project() { (cd "$work/project" && bash "$repo/scripts/clean-env.sh" "$(dirname "$(command -v node)")" "$@"); }
check "npm install ./$(basename "$tgz") into an empty project" in_project npm install --no-audit --no-fund --loglevel=error "$tgz"
check "no dev dependency came with it" bash -c "! ls '$work/project/node_modules' | grep -qxE 'esbuild|typescript|mocha|fastify|@vscode'"
check "npx flowtune demo" in_project bash -c 'npx flowtune demo --generations 2 --runs 10 | tail -4 | tee /dev/stderr | grep -q "Demo finished"'
check "npx flowtune daemon" node test/install/daemonSmoke.mjs "$(command -v node)" "$work/project/node_modules/flowtune/bin/flowtune.js"
check "npx flowtune run" in_project bash -c 'npx flowtune run --data-dir .flowtune -- node -e "process.exit(3)"; test $? -eq 3 && grep -q "\"port\"" .flowtune/daemon.json'
[ "$failed" -eq 0 ]
