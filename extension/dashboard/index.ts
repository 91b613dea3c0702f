// The dashboard's one registration point, called from activate(): the sidebar view provider and the
// context the panel needs.
import * as vscode from 'vscode';
import type { FlowtuneContext } from '../context';
import { DashboardPanel, setDashboardContext } from './dashboardPanel';
import { DASHBOARD_VIEW_ID, DashboardViewProvider } from './dashboardView';

export function registerDashboard(ctx: FlowtuneContext): void {
  setDashboardContext(ctx);
  ctx.track(vscode.window.registerWebviewViewProvider(DASHBOARD_VIEW_ID, new DashboardViewProvider(ctx)));
  ctx.track({
    dispose: () => {
      DashboardPanel.disposeCurrent();
      setDashboardContext(null);
    },
  });
}
