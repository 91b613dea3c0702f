// The dashboard in a full editor panel (one per window). `DashboardPanel.show` keeps the signature
// the command table calls; the data now comes from the webview's own requests (GET /v1/dashboard).
import * as vscode from 'vscode';
import type { WorkspaceStatus } from '../../shared/protocol';
import type { FlowtuneContext } from '../context';
import { attachDashboard, webviewOptions } from './dashboardHost';

/** Kept for the command table's pre-fetch (no longer needed: the webview asks for its data). */
export interface WorkerRow {
  worker: string;
  calls: number;
  latencyP95Ms: number | null;
  costPerCall: number;
  quality: number | null;
}

let hostContext: FlowtuneContext | null = null;

/** Called once at activation (see registerDashboard). */
export function setDashboardContext(ctx: FlowtuneContext | null): void {
  hostContext = ctx;
}

export class DashboardPanel implements vscode.Disposable {
  private static current: DashboardPanel | null = null;
  private readonly panel: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];

  private constructor(ctx: FlowtuneContext) {
    this.panel = vscode.window.createWebviewPanel('flowtune.dashboard', 'Flowtune Dashboard', vscode.ViewColumn.Active, {
      ...webviewOptions(ctx),
      // The webview keeps its own state (getState/setState) and asks for data again when shown.
      retainContextWhenHidden: false,
    });
    const { controller, disposables } = attachDashboard(ctx, this.panel.webview, 'panel');
    this.disposables.push(...disposables);
    this.disposables.push(this.panel.onDidChangeViewState((event) => event.webviewPanel.visible && controller.requestRefresh()));
    this.panel.onDidDispose(() => {
      if (DashboardPanel.current === this) DashboardPanel.current = null;
      for (const d of this.disposables.splice(0)) d.dispose();
    });
  }

  /** Opens (or focuses) the dashboard panel. The arguments are accepted for compatibility and unused. */
  static show(_status?: WorkspaceStatus | null, _workers?: WorkerRow[], _note?: string | null): DashboardPanel | null {
    if (!hostContext) {
      void vscode.window.showErrorMessage('Flowtune: the dashboard is not ready yet (the extension is still activating).');
      return null;
    }
    const panel = DashboardPanel.current ?? new DashboardPanel(hostContext);
    DashboardPanel.current = panel;
    panel.panel.reveal(undefined, false);
    return panel;
  }

  /** The open panel, if any (tests read it). */
  static get currentPanel(): vscode.WebviewPanel | null {
    return DashboardPanel.current?.panel ?? null;
  }

  static disposeCurrent(): void {
    DashboardPanel.current?.dispose();
  }

  dispose(): void {
    this.panel.dispose();
  }
}
