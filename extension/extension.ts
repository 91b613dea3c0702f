// Entry point: build the one context, register the command table, start connecting in the background.
import type * as vscode from 'vscode';
import type { WorkspaceStatus } from '../shared/protocol';
import { registerCommands } from './commands';
import { FlowtuneContext } from './context';
import type { ConnectionState } from './daemonConnection';
import { registerDashboard } from './dashboard';
import { DashboardPanel } from './dashboard/dashboardPanel';

/** What activate() returns: read by the editor tests, not a public API. */
export interface FlowtuneExtensionApi {
  connectionState(): ConnectionState | null;
  workspaceStatus(): WorkspaceStatus | null;
  statusBarText(): string;
}

let context: FlowtuneContext | null = null;

export function activate(extension: vscode.ExtensionContext): FlowtuneExtensionApi {
  const ctx = new FlowtuneContext(extension);
  context = ctx;
  extension.subscriptions.push(ctx);
  registerCommands(ctx);
  registerDashboard(ctx);
  ctx.start();
  return {
    connectionState: () => ctx.connection?.state ?? null,
    workspaceStatus: () => ctx.connection?.status ?? null,
    statusBarText: () => ctx.statusBar.text,
  };
}

export function deactivate(): void {
  DashboardPanel.disposeCurrent();
  context?.dispose();
  context = null;
}
