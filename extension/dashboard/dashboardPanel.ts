// The dashboard's panel host. Until the dashboard bundle (webview-ui/) lands, it shows a small static
// view of the workers and the open anomalies; the panel, its CSP and its lifecycle stay as they are.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { WorkspaceStatus } from '../../shared/protocol';

export interface WorkerRow {
  worker: string;
  calls: number;
  latencyP95Ms: number | null;
  costPerCall: number;
  quality: number | null;
}

export class DashboardPanel implements vscode.Disposable {
  private static current: DashboardPanel | null = null;
  private readonly panel: vscode.WebviewPanel;

  private constructor() {
    this.panel = vscode.window.createWebviewPanel('flowtune.dashboard', 'Flowtune', vscode.ViewColumn.Active, {
      enableScripts: false,
      retainContextWhenHidden: false,
      localResourceRoots: [],
    });
    this.panel.onDidDispose(() => {
      if (DashboardPanel.current === this) DashboardPanel.current = null;
    });
  }

  /** Opens (or focuses) the panel and renders what is known. */
  static show(status: WorkspaceStatus | null, workers: WorkerRow[], note: string | null): DashboardPanel {
    const panel = DashboardPanel.current ?? new DashboardPanel();
    DashboardPanel.current = panel;
    panel.panel.webview.html = renderHtml(panel.panel.webview, status, workers, note);
    panel.panel.reveal(undefined, false);
    return panel;
  }

  static disposeCurrent(): void {
    DashboardPanel.current?.dispose();
  }

  dispose(): void {
    this.panel.dispose();
  }
}

function renderHtml(webview: vscode.Webview, status: WorkspaceStatus | null, workers: WorkerRow[], note: string | null): string {
  const nonce = randomBytes(16).toString('base64');
  const rows = workers
    .map(
      (w) =>
        `<tr><td>${esc(w.worker)}</td><td>${w.calls}</td><td>${w.latencyP95Ms === null ? '–' : `${Math.round(w.latencyP95Ms)} ms`}</td>` +
        `<td>$${w.costPerCall.toPrecision(2)}</td><td>${w.quality === null ? '–' : w.quality.toFixed(2)}</td></tr>`,
    )
    .join('');
  const anomalies = (status?.anomalies ?? []).map((a) => `<li class="${a.severity}">${esc(a.title)}</li>`).join('');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource} 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0"><title>Flowtune</title>
<style nonce="${nonce}">
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 16px; }
table { border-collapse: collapse; } td, th { padding: 4px 12px; text-align: left; border-bottom: 1px solid var(--vscode-panel-border); }
.error { color: var(--vscode-errorForeground); } .warning { color: var(--vscode-editorWarning-foreground); }
.note { color: var(--vscode-descriptionForeground); }
</style></head>
<body>
<h1 id="title">Flowtune</h1>
${note ? `<p class="note">${esc(note)}</p>` : ''}
<h2>Workers (last 7 days)</h2>
${rows ? `<table><thead><tr><th>worker</th><th>calls</th><th>p95</th><th>cost/call</th><th>quality</th></tr></thead><tbody>${rows}</tbody></table>` : '<p>No calls recorded yet.</p>'}
<h2>Open anomalies</h2>
${anomalies ? `<ul>${anomalies}</ul>` : '<p>None.</p>'}
<p class="note">${status ? `${status.openRecommendations} open recommendations · daemon on port ${status.daemon.port}` : 'The daemon is not connected.'}</p>
</body></html>`;
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
