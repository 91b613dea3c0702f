#!/usr/bin/env bash
# The editor layer: the extension's mocha suite inside a real VS Code (code-server) with the real daemon,
# then the packaged VSIX in a second code-server driven by Chromium for screenshots of the real UI
# (test-artifacts/screenshots/). Prints "editor: N passed, N failed, N skipped"; exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
t0=$(date +%s)
elapsed() { echo "$(( $(date +%s) - t0 ))s"; }
# The toolchain (code-server and the Node 24 it runs on). A failed install ends the layer here, with
# its own message and a summary line, instead of running on with half the variables set.
if ! toolchain=$(bash .ci/vscode/install.sh); then
  echo "[e2e] the editor toolchain could not be installed (see above)" >&2
  echo "editor: 0 passed, 1 failed, 0 skipped"
  exit 1
fi
NODE24=$(sed -n 's/^NODE24=//p' <<<"$toolchain")
CODE_SERVER_ENTRY=$(sed -n 's/^CODE_SERVER_ENTRY=//p' <<<"$toolchain")
if [ -z "$NODE24" ] || [ -z "$CODE_SERVER_ENTRY" ]; then
  echo "[e2e] install.sh printed no NODE24/CODE_SERVER_ENTRY" >&2
  echo "editor: 0 passed, 1 failed, 0 skipped"
  exit 1
fi
export NODE24 CODE_SERVER_ENTRY
export FLOWTUNE_NODE=${FLOWTUNE_NODE:-$(command -v node)}
echo "[e2e] toolchain ready after $(elapsed) (code-server under $NODE24/bin/node, daemon on $FLOWTUNE_NODE $($FLOWTUNE_NODE --version))"
npm run build --silent

STATE=$(mktemp -d -t flowtune-e2e.XXXXXX)
stop_daemon() { # the daemon is detached by design: stop the ones these runs started
  local info=$1/.flowtune/daemon.json
  [ -f "$info" ] && kill -TERM "$(node -p "require('$info').pid")" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  bash .ci/vscode/code-server.sh stop "$STATE/tests" || true
  bash .ci/vscode/code-server.sh stop "$STATE/ui" || true
  stop_daemon "$STATE/tests-ws"; stop_daemon "$STATE/ui-ws"
  # Profiles, workspaces and logs of a passing run go; a failing run keeps them for diagnosis.
  if [ "$rc" -eq 0 ]; then rm -rf "$STATE"; else echo "[e2e] state kept for diagnosis: $STATE"; fi
}
trap cleanup EXIT
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# 1) The suite inside the extension host; the extension loaded from this checkout.
cp -r test/e2e/fixture-workspace "$STATE/tests-ws"
PORT=$(free_port)
bash .ci/vscode/code-server.sh start "$PORT" "$STATE/tests" --vscode-option enable-smoke-test-driver
echo "[e2e] code-server (tests) on 127.0.0.1:$PORT after $(elapsed)"
set +e
CS_URL=http://127.0.0.1:$PORT EXT_DEV_PATH=. EXT_TESTS_PATH=dist/test/e2e WS_FOLDER="$STATE/tests-ws" \
  CONSOLE_LOG="$STATE/tests-console.log" TEST_TIMEOUT_MS=300000 node .ci/vscode/run-ext-tests.mjs | tee "$STATE/tests.out"
tests_rc=${PIPESTATUS[0]}
set -e
bash .ci/vscode/code-server.sh stop "$STATE/tests"
stop_daemon "$STATE/tests-ws"
echo "[e2e] extension tests exit $tests_rc after $(elapsed)"
if [ "$tests_rc" -ne 0 ]; then
  echo "[e2e] workbench console: $STATE/tests-console.log; daemon log: $STATE/tests-ws/.flowtune/daemon.log"
  grep -q '^editor: ' "$STATE/tests.out" || echo "editor: 0 passed, 1 failed, 0 skipped"
  exit "$tests_rc"
fi

# 2) The packaged VSIX in a plain code-server (no smoke-test driver: it hides notification toasts).
# Packaged by vsce as a user gets it (its prepublish builds the bundles and the SQLite modules per Node ABI).
npx vsce package --out "$STATE/flowtune.vsix" >&2
unzip -l "$STATE/flowtune.vsix" | tail -1 | awk '{ printf "[e2e] VSIX: %d files, %d bytes unpacked\n", $2, $1 }'
ls -l "$STATE/flowtune.vsix" | awk '{ print "[e2e] VSIX size: " $5 " bytes" }'
bash .ci/vscode/code-server.sh install-ext "$STATE/ui" "$STATE/flowtune.vsix" >/dev/null
cp -r test/e2e/fixture-workspace "$STATE/ui-ws"
PORT=$(free_port)
bash .ci/vscode/code-server.sh start "$PORT" "$STATE/ui"
rm -f test-artifacts/screenshots/[0-9]-*.png test-artifacts/screenshots/failure.png  # the dashboard layer keeps its own shots here
CS_URL=http://127.0.0.1:$PORT WS_FOLDER="$STATE/ui-ws" SHOTS=test-artifacts/screenshots node .ci/vscode/screenshots.mjs
echo "[e2e] screenshots in test-artifacts/screenshots after $(elapsed)"
