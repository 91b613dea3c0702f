// Every `flowtune.*` setting, read in one place into one typed object. Secrets never live here.
import * as vscode from 'vscode';

export interface FlowtuneConfig {
  /** The Node executable that runs the daemon (the system Node, where better-sqlite3 was built). */
  nodePath: string;
  /** Start the workspace daemon when none runs. */
  autoStartDaemon: boolean;
  /** Upstream provider for the daemon's proxy (empty: the daemon's own default). */
  upstream: string | null;
  /** Wire programs started in the integrated terminal to the daemon. */
  terminalEnabled: boolean;
  /** Show code lenses with each worker's measurements. */
  codeLensEnabled: boolean;
}

export const CONFIG_SECTION = 'flowtune';

export function readConfig(): FlowtuneConfig {
  const settings = vscode.workspace.getConfiguration(CONFIG_SECTION);
  const upstream = settings.get<string>('daemon.upstream', '').trim();
  return {
    nodePath: settings.get<string>('nodePath', '').trim() || 'node',
    autoStartDaemon: settings.get<boolean>('daemon.autoStart', true),
    upstream: upstream === '' ? null : upstream,
    terminalEnabled: settings.get<boolean>('terminal.enabled', true),
    codeLensEnabled: settings.get<boolean>('codeLens.enabled', true),
  };
}

/** Whether a configuration change touches one of our settings (a key relative to `flowtune.`). */
export function affects(event: vscode.ConfigurationChangeEvent, key: string): boolean {
  return event.affectsConfiguration(`${CONFIG_SECTION}.${key}`);
}
