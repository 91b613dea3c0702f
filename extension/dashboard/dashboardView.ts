// The compact dashboard in the sidebar (a WebviewView in the Flowtune view container): the same
// bundle in 'sidebar' mode — key figures, recommendations with Apply/Dismiss, a way to the panel.
import * as vscode from 'vscode';
import type { FlowtuneContext } from '../context';
import { attachDashboard } from './dashboardHost';

export const DASHBOARD_VIEW_ID = 'flowtune.dashboardView';

export class DashboardViewProvider implements vscode.WebviewViewProvider {
  constructor(private readonly ctx: FlowtuneContext) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    const { controller, disposables } = attachDashboard(this.ctx, view.webview, 'sidebar');
    disposables.push(view.onDidChangeVisibility(() => view.visible && controller.requestRefresh()));
    view.onDidDispose(() => {
      for (const d of disposables.splice(0)) d.dispose();
    });
  }
}
