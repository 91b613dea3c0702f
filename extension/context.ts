// The extension's one context: settings, the output channel, the daemon connection, the status bar,
// the terminal environment, and every disposable, released together on deactivate.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CONFIG_FILE_NAME } from '../shared/config';
import type { DaemonInfo } from '../daemon/daemonFile';
import { affects, readConfig, type FlowtuneConfig } from './config';
import { DaemonConnection } from './daemonConnection';
import { daemonLocation, type DaemonLocation } from './daemonProcess';
import { DaemonLogTail } from './logTail';
import { sendSecrets } from './secrets';
import { FlowtuneStatusBar } from './statusBar';
import { applyTerminalEnvironment } from './terminalEnvironment';

export const COMMAND_RESTART_DAEMON = 'flowtune.restartDaemon';
export const COMMAND_SHOW_LOG = 'flowtune.showLog';

export class FlowtuneContext implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  config: FlowtuneConfig = readConfig();
  readonly output: vscode.OutputChannel;
  readonly location: DaemonLocation | null;
  readonly connection: DaemonConnection | null;
  readonly statusBar: FlowtuneStatusBar;

  constructor(readonly extension: vscode.ExtensionContext) {
    this.output = this.track(vscode.window.createOutputChannel('Flowtune'));
    this.statusBar = this.track(new FlowtuneStatusBar());
    const root = workspaceRoot();
    this.location = root ? daemonLocation(root) : null;
    if (!this.location) {
      this.connection = null;
      this.statusBar.render({ kind: 'down', reason: 'no folder is open', hint: 'Open the folder that holds flowtune.config.json.' }, null);
      return;
    }
    this.connection = this.track(
      new DaemonConnection(this.location, extension.extensionPath, () => this.config, this.output, (client) => sendSecrets(extension.secrets, client)),
    );
    this.track(new DaemonLogTail(path.join(this.location.dataDir, 'daemon.log'), this.output));
    this.track(this.connection.onDidChangeState(() => this.refreshViews()));
    this.track(this.connection.onDidChangeStatus(() => this.refreshViews()));
    this.track(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (!affects(event, '')) return;
        this.config = readConfig();
        if (affects(event, 'terminal.enabled')) this.refreshViews();
      }),
    );
  }

  track<T extends vscode.Disposable>(disposable: T): T {
    this.disposables.push(disposable);
    return disposable;
  }

  /** Starts connecting in the background; activation never waits on the daemon. */
  start(): void {
    void this.connection?.connect();
  }

  /** The running daemon, or null after telling the user why it is unavailable and what to do. */
  requireDaemon(action: string): DaemonInfo | null {
    const state = this.connection?.state;
    if (state?.kind === 'connected') return state.info;
    const reason =
      !this.connection ? 'no folder is open' : state?.kind === 'starting' ? 'the daemon is still starting' : state?.kind === 'down' ? state.reason : 'unknown';
    const hint = state?.kind === 'down' ? state.hint : 'Try again in a moment.';
    void vscode.window.showWarningMessage(`Flowtune cannot ${action}: ${reason}. ${hint}`, 'Restart Daemon', 'Show Log').then((choice) => {
      if (choice === 'Restart Daemon') void vscode.commands.executeCommand(COMMAND_RESTART_DAEMON);
      if (choice === 'Show Log') void vscode.commands.executeCommand(COMMAND_SHOW_LOG);
    });
    return null;
  }

  private refreshViews(): void {
    const state = this.connection?.state ?? { kind: 'starting' as const };
    this.statusBar.render(state, this.connection?.status ?? null);
    applyTerminalEnvironment(this.extension.environmentVariableCollection, state.kind === 'connected' ? state.info : null, this.config.terminalEnabled);
  }

  dispose(): void {
    for (const disposable of this.disposables.splice(0).reverse()) {
      try {
        disposable.dispose();
      } catch {
        // keep releasing the rest
      }
    }
  }
}

/** The first folder with flowtune.config.json, else the first folder. */
function workspaceRoot(): string | null {
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((folder) => folder.uri.scheme === 'file');
  const withConfig = folders.find((folder) => fs.existsSync(path.join(folder.uri.fsPath, CONFIG_FILE_NAME)));
  return (withConfig ?? folders[0])?.uri.fsPath ?? null;
}
