// Shared wiring of the two dashboard webviews (editor panel and sidebar view): the same bundle,
// webview options limited to dist/webview, the HTML with CSP and nonce, a controller per webview,
// and live refreshes driven by the daemon connection's events.
import * as vscode from 'vscode';
import type { FlowtuneContext } from '../context';
import { DashboardController } from './dashboardController';
import { dashboardHtml, type DashboardMode } from './webviewHtml';

export const SHOW_DASHBOARD_COMMAND = 'flowtune.showDashboard';

export function bundleRoot(ctx: FlowtuneContext): vscode.Uri {
  return vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist', 'webview');
}

export function webviewOptions(ctx: FlowtuneContext): vscode.WebviewOptions {
  return { enableScripts: true, enableCommandUris: false, localResourceRoots: [bundleRoot(ctx)] };
}

/** Loads the bundle into `webview` and connects it to a controller; returns what to dispose. */
export function attachDashboard(ctx: FlowtuneContext, webview: vscode.Webview, mode: DashboardMode): { controller: DashboardController; disposables: vscode.Disposable[] } {
  const root = bundleRoot(ctx);
  webview.options = webviewOptions(ctx);
  webview.html = dashboardHtml({
    cspSource: webview.cspSource,
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'dashboard.js')).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'dashboard.css')).toString(),
    mode,
  });
  const controller = new DashboardController({
    daemon: () => {
      const state = ctx.connection?.state;
      if (state?.kind === 'connected') return { info: state.info };
      const reason = !ctx.connection ? 'no folder is open' : state?.kind === 'down' ? state.reason : 'the daemon is still starting';
      return { info: null, reason };
    },
    post: (message) => void webview.postMessage(message),
    openFullDashboard: () => void vscode.commands.executeCommand(SHOW_DASHBOARD_COMMAND),
    log: (line) => ctx.output.appendLine(line),
  });
  const disposables: vscode.Disposable[] = [webview.onDidReceiveMessage((message: unknown) => void controller.receive(message))];
  if (ctx.connection) {
    // Daemon notifications (status changed after ingest, anomalies, recommendations) and reconnects.
    disposables.push(ctx.connection.onDidChangeStatus(() => controller.requestRefresh()));
    disposables.push(ctx.connection.onDidChangeState((state) => state.kind !== 'starting' && controller.requestRefresh()));
  }
  disposables.push({ dispose: () => controller.dispose() });
  return { controller, disposables };
}
