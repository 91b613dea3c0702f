#!/usr/bin/env bash
# Start/stop a code-server (a real VS Code with the Node extension host) for the editor tests.
# usage: code-server.sh start PORT STATE_DIR [code-server args...] | install-ext STATE_DIR VSIX | stop STATE_DIR
# Needs NODE24 and CODE_SERVER_ENTRY (printed by install.sh). FLOWTUNE_NODE: the system Node the daemon runs on.
set -euo pipefail
cmd=$1; shift
write_settings() {
  mkdir -p "$1/user-data/User" "$1/extensions"
  cat > "$1/user-data/User/settings.json" <<JSON
{ "workbench.startupEditor": "none", "chat.disableAIFeatures": true,
  "workbench.secondarySideBar.defaultVisibility": "hidden", "telemetry.telemetryLevel": "off",
  "extensions.autoCheckUpdates": false, "extensions.autoUpdate": false, "update.mode": "none",
  "workbench.tips.enabled": false, "git.enabled": false, "security.workspace.trust.enabled": false,
  "typescript.disableAutomaticTypeAcquisition": true, "files.autoSave": "off",
  "flowtune.nodePath": "${FLOWTUNE_NODE:-node}" }
JSON
}
case $cmd in
start)
  PORT=$1 STATE=$2; shift 2
  write_settings "$STATE"
  printf 'bind-addr: 127.0.0.1:%s\nauth: none\ncert: false\n' "$PORT" > "$STATE/config.yaml"
  # setsid: code-server leads its own process group, so stop ends the extension hosts with it.
  XDG_CONFIG_HOME="$STATE/xdg" XDG_DATA_HOME="$STATE/xdg" \
  setsid "$NODE24/bin/node" "$CODE_SERVER_ENTRY" --config "$STATE/config.yaml" --bind-addr "127.0.0.1:$PORT" --auth none \
    --user-data-dir "$STATE/user-data" --extensions-dir "$STATE/extensions" \
    --disable-telemetry --disable-update-check --disable-workspace-trust --disable-getting-started-override \
    --disable-proxy "$@" > "$STATE/code-server.log" 2>&1 &
  echo $! > "$STATE/code-server.pid"
  for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && exit 0; sleep 0.25; done
  echo "code-server did not start; log:" >&2; cat "$STATE/code-server.log" >&2; exit 1 ;;
install-ext)
  STATE=$1 VSIX=$2
  write_settings "$STATE"
  XDG_CONFIG_HOME="$STATE/xdg" XDG_DATA_HOME="$STATE/xdg" "$NODE24/bin/node" "$CODE_SERVER_ENTRY" --config /dev/null \
    --user-data-dir "$STATE/user-data" --extensions-dir "$STATE/extensions" --install-extension "$VSIX" ;;
stop)
  STATE=$1; pid=$(cat "$STATE/code-server.pid" 2>/dev/null || true)
  if [ -n "$pid" ]; then
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    rm -f "$STATE/code-server.pid"
  fi ;;
*) echo "usage: $0 start|install-ext|stop" >&2; exit 2 ;;
esac
