// Terminal wiring: programs started in the integrated terminal report to the daemon with no code change
// (the official openai client reads OPENAI_BASE_URL; OpenTelemetry exporters read the OTLP variables).
import type * as vscode from 'vscode';
import type { DaemonInfo } from '../daemon/daemonFile';
import { daemonBaseUrl } from './daemonProcess';

/** The variables, also what Copy Run Environment puts on the clipboard. */
export function terminalVariables(info: DaemonInfo): Record<string, string> {
  const url = daemonBaseUrl(info);
  return {
    // The token rides in the path: OPENAI_BASE_URL carries no headers.
    OPENAI_BASE_URL: `${url}/t/${info.token}/openai/v1`,
    OTEL_EXPORTER_OTLP_ENDPOINT: url,
    OTEL_EXPORTER_OTLP_HEADERS: `x-flowtune-token=${info.token}`,
    FLOWTUNE_URL: url,
    FLOWTUNE_TOKEN: info.token,
  };
}

export function applyTerminalEnvironment(collection: vscode.EnvironmentVariableCollection, info: DaemonInfo | null, enabled: boolean): void {
  collection.clear();
  if (!enabled || !info) return;
  collection.description = 'Flowtune: programs started here report their LLM calls to the workspace daemon';
  for (const [name, value] of Object.entries(terminalVariables(info))) collection.replace(name, value);
}

/** Shell lines (`export NAME='value'`) for the clipboard. */
export function exportLines(variables: Record<string, string>): string {
  return Object.entries(variables)
    .map(([name, value]) => `export ${name}='${value.replace(/'/g, `'\\''`)}'`)
    .join('\n');
}
