// API keys for judges and analysis live in the editor's SecretStorage and reach the daemon by a typed
// request, which keeps them in memory only. Never in settings, never on disk in the workspace.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { setSecretsRequest, type SecretsParams } from '../shared/protocol';

type SecretKey = keyof Required<SecretsParams>;

const SECRETS: Array<{ key: SecretKey; storageKey: string; label: string }> = [
  { key: 'judgeApiKey', storageKey: 'flowtune.judgeApiKey', label: 'Judge API key (LLM-as-judge evaluators)' },
  { key: 'analysisApiKey', storageKey: 'flowtune.analysisApiKey', label: 'Analysis API key (AI insights, prompt rewriting)' },
];

/** Sends every stored secret to the daemon (after each connection: the daemon forgets on restart). */
export async function sendSecrets(storage: vscode.SecretStorage, client: LanguageClient): Promise<void> {
  const params: SecretsParams = {};
  for (const secret of SECRETS) {
    const value = await storage.get(secret.storageKey);
    if (value) params[secret.key] = value;
  }
  if (Object.keys(params).length > 0) await client.sendRequest(setSecretsRequest, params);
}

/** Asks which key to set (or clear), stores it, and hands it to the daemon when connected. */
export async function promptForSecret(storage: vscode.SecretStorage, client: LanguageClient | null): Promise<string | undefined> {
  const picked = await vscode.window.showQuickPick(
    SECRETS.map((secret) => ({ label: secret.label, secret })),
    { title: 'Flowtune: set an API key', placeHolder: 'Which key? (stored in the editor’s secret storage)' },
  );
  if (!picked) return undefined;
  const value = await vscode.window.showInputBox({
    title: picked.secret.label,
    prompt: 'Leave empty to remove the stored key',
    password: true,
    ignoreFocusOut: true,
  });
  if (value === undefined) return undefined;
  if (value === '') await storage.delete(picked.secret.storageKey);
  else await storage.store(picked.secret.storageKey, value);
  if (client) await client.sendRequest(setSecretsRequest, { [picked.secret.key]: value === '' ? null : value });
  return value === '' ? `${picked.secret.label} removed` : `${picked.secret.label} stored`;
}
