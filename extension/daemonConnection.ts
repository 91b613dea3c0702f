// The window's link to the workspace daemon: find or start it, connect the language client over the
// upgraded loopback socket, and reconnect (with backoff) when the daemon restarts or goes away.
// Never awaited by activation: the editor starts at full speed and the state arrives by event.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { CloseAction, ErrorAction, LanguageClient, State, type LanguageClientOptions, type StreamInfo } from 'vscode-languageclient/node';
import type { DaemonInfo } from '../daemon/daemonFile';
import { connectLspSocket } from '../shared/lspSocket';
import { EXPLAIN_WORKER_COMMAND, statusChangedNotification, workspaceStatusRequest, type WorkspaceStatus } from '../shared/protocol';
import type { FlowtuneConfig } from './config';
import { chooseDaemon, probeNode } from './daemonEntry';
import { DaemonStartError, findDaemon, startDaemon, stopDaemon, type DaemonLocation } from './daemonProcess';

export type ConnectionState =
  | { kind: 'starting' }
  | { kind: 'connected'; info: DaemonInfo }
  | { kind: 'down'; reason: string; hint: string };

const RETRY_DELAYS_MS = [500, 1000, 2000, 5000, 10_000, 30_000];

export class DaemonConnection implements vscode.Disposable {
  private client: LanguageClient | null = null;
  private retry = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private watcher: fs.FSWatcher | null = null;
  private connecting: Promise<void> | null = null;
  private disposed = false;
  private readonly notified = new Set<string>();
  private readonly stateEmitter = new vscode.EventEmitter<ConnectionState>();
  private readonly statusEmitter = new vscode.EventEmitter<WorkspaceStatus>();
  readonly onDidChangeState = this.stateEmitter.event;
  readonly onDidChangeStatus = this.statusEmitter.event;
  state: ConnectionState = { kind: 'starting' };
  status: WorkspaceStatus | null = null;

  constructor(
    private readonly location: DaemonLocation,
    /** The extension's folder: its bundled daemon and native modules (see daemonEntry.ts). */
    private readonly extensionPath: string,
    private readonly config: () => FlowtuneConfig,
    private readonly output: vscode.OutputChannel,
    /** Called after every (re)connection, e.g. to hand over secrets. */
    private readonly onConnected: (client: LanguageClient) => Promise<void>,
  ) {}

  get languageClient(): LanguageClient | null {
    return this.state.kind === 'connected' ? this.client : null;
  }

  /** Connects (starting the daemon if allowed); resolves when connected or known to be down. */
  connect(): Promise<void> {
    this.connecting ??= this.doConnect().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async doConnect(): Promise<void> {
    if (this.disposed) return;
    this.clearRetry();
    this.setState({ kind: 'starting' });
    let info = await findDaemon(this.location);
    if (!info) {
      const config = this.config();
      if (!config.autoStartDaemon) {
        this.setState({ kind: 'down', reason: 'no daemon runs for this workspace', hint: 'Run "Flowtune: Restart Daemon", or enable flowtune.daemon.autoStart.' });
        this.watchForDaemon();
        return;
      }
      info = await this.launch(config, 'Check flowtune.nodePath and the "Flowtune" output, then run "Flowtune: Restart Daemon".');
      if (!info) return;
    }
    await this.startClient(info);
  }

  private async startClient(info: DaemonInfo): Promise<void> {
    await this.stopClient();
    const serverOptions = async (): Promise<StreamInfo> => {
      const socket = await connectLspSocket({ port: info.port, token: info.token });
      socket.resume(); // the daemon speaks only after `initialize`, so nothing is lost before the reader listens
      return { reader: socket, writer: socket };
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: 'file', language: 'typescript' },
        { scheme: 'file', language: 'typescriptreact' },
        { scheme: 'file', language: 'javascript' },
        { scheme: 'file', language: 'javascriptreact' },
        { scheme: 'file', language: 'python' },
        { scheme: 'file', pattern: '**/flowtune.config.json' },
        { scheme: 'file', language: 'plaintext' },
        { scheme: 'file', language: 'markdown' },
      ],
      outputChannel: this.output,
      // Hovers may link to this one command ("Explain this worker"), and to nothing else.
      markdown: { isTrusted: { enabledCommands: [EXPLAIN_WORKER_COMMAND] } },
      // The daemon outlives windows; when its socket closes we decide what to do (reconnect), not the client.
      errorHandler: {
        error: () => ({ action: ErrorAction.Continue, handled: true }),
        closed: () => ({ action: CloseAction.DoNotRestart, handled: true }),
      },
      middleware: {
        provideCodeLenses: (document, token, next) => (this.config().codeLensEnabled ? next(document, token) : []),
      },
    };
    const client = new LanguageClient('flowtune', 'Flowtune', serverOptions, clientOptions);
    this.client = client;
    client.onDidChangeState((event) => {
      if (event.newState === State.Stopped && this.client === client && this.state.kind === 'connected') {
        this.markDown('the daemon closed the connection', 'Flowtune reconnects on its own; "Flowtune: Restart Daemon" starts a new one.');
      }
    });
    client.onNotification(statusChangedNotification, (status) => this.setStatus(status));
    try {
      await client.start();
    } catch (error) {
      this.markDown(`cannot connect to the daemon on port ${info.port}: ${(error as Error).message}`, 'Run "Flowtune: Restart Daemon".');
      return;
    }
    this.retry = 0;
    this.setState({ kind: 'connected', info });
    this.log(`connected to the daemon (pid ${info.pid}, port ${info.port})`);
    this.watchForDaemon();
    try {
      this.setStatus(await client.sendRequest(workspaceStatusRequest));
      await this.onConnected(client);
    } catch (error) {
      this.log(`after connecting: ${(error as Error).message}`);
    }
  }

  /** Stops the daemon this window uses (whoever started it) and starts a fresh one. */
  async restartDaemon(): Promise<void> {
    await this.stopClient();
    const info = await findDaemon(this.location);
    if (info) {
      this.log(`stopping the daemon (pid ${info.pid})`);
      await stopDaemon(this.location, info);
    }
    const config = this.config();
    this.setState({ kind: 'starting' });
    const started = await this.launch(config, 'Check flowtune.nodePath and the "Flowtune" output.');
    if (started) await this.startClient(started);
  }

  /**
   * Starts the daemon that fits the configured Node (bundled, or the user's npm install); when none
   * can run there, marks the daemon down and says why once, with the command that fixes it.
   */
  private async launch(config: FlowtuneConfig, hint: string): Promise<DaemonInfo | null> {
    try {
      const node = await probeNode(config.nodePath);
      const choice = chooseDaemon({ extensionPath: this.extensionPath, workspaceRoot: this.location.root, node });
      if (choice.kind === 'unsupported') throw new DaemonStartError(choice.message, choice.fix);
      this.log(`starting the ${choice.kind} daemon on Node ${node.version}: ${config.nodePath} ${choice.entry} (data dir ${this.location.dataDir})`);
      return await startDaemon(this.location, { nodePath: config.nodePath, entry: choice.entry, upstream: config.upstream });
    } catch (error) {
      const fix = error instanceof DaemonStartError ? error.fix : undefined;
      this.markDown(`the daemon could not start: ${(error as Error).message}`, fix ? `Run \`${fix}\` in a terminal, then "Flowtune: Restart Daemon".` : hint);
      if (fix) this.notifyFix((error as Error).message, fix);
      return null;
    }
  }

  /** One notification per distinct problem (retries would otherwise repeat it every few seconds). */
  private notifyFix(message: string, fix: string): void {
    if (this.notified.has(message)) return;
    this.notified.add(message);
    const run = 'Run in Terminal';
    const copy = 'Copy Command';
    const settings = 'Open Settings';
    void vscode.window.showErrorMessage(message, run, copy, settings).then((choice) => {
      if (choice === run) {
        const terminal = vscode.window.createTerminal({ name: 'Flowtune setup' });
        terminal.show();
        terminal.sendText(fix.startsWith('npm ') ? fix : `# ${fix}`);
      } else if (choice === copy) void vscode.env.clipboard.writeText(fix);
      else if (choice === settings) void vscode.commands.executeCommand('workbench.action.openSettings', 'flowtune.nodePath');
    });
  }

  private markDown(reason: string, hint: string): void {
    if (this.disposed) return;
    this.log(`daemon down: ${reason}`);
    this.setState({ kind: 'down', reason, hint });
    this.setStatus(null);
    void this.stopClient();
    const delay = RETRY_DELAYS_MS[Math.min(this.retry, RETRY_DELAYS_MS.length - 1)];
    this.retry++;
    this.clearRetry();
    this.retryTimer = setTimeout(() => void this.connect(), delay);
    this.watchForDaemon();
  }

  /** A new daemon.json (a daemon restarted from a terminal) triggers a reconnect at once. */
  private watchForDaemon(): void {
    if (this.watcher || this.disposed) return;
    try {
      fs.mkdirSync(this.location.dataDir, { recursive: true, mode: 0o700 });
      this.watcher = fs.watch(this.location.dataDir, (_event, file) => {
        if (file !== 'daemon.json' || this.state.kind === 'starting') return;
        const current = this.state.kind === 'connected' ? this.state.info : null;
        void findDaemon(this.location).then((found) => {
          if (found && (!current || found.pid !== current.pid || found.port !== current.port)) void this.connect();
        });
      });
    } catch {
      // no watching: the retry timer still reconnects
    }
  }

  private async stopClient(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (!client) return;
    try {
      if (client.state === State.Running) await client.stop(2000);
    } catch {
      // the socket is already gone
    }
    await client.dispose(2000).catch(() => undefined);
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    this.stateEmitter.fire(state);
  }

  private setStatus(status: WorkspaceStatus | null): void {
    this.status = status;
    if (status) this.statusEmitter.fire(status);
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private log(message: string): void {
    this.output.appendLine(`[extension ${new Date().toISOString()}] ${message}`);
  }

  dispose(): void {
    this.disposed = true;
    this.clearRetry();
    this.watcher?.close();
    void this.stopClient();
    this.stateEmitter.dispose();
    this.statusEmitter.dispose();
  }
}
