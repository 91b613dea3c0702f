// API keys the editor hands over (judges, analysis). Held in this process's memory only: never written
// to the store, the log or daemon.json, and gone when the daemon stops.
import type { DaemonContext } from './daemonContext';

export type SecretName = 'judgeApiKey' | 'analysisApiKey';

const secretsByDaemon = new WeakMap<DaemonContext, Map<SecretName, string>>();

function secretMap(ctx: DaemonContext): Map<SecretName, string> {
  let map = secretsByDaemon.get(ctx);
  if (!map) {
    map = new Map();
    secretsByDaemon.set(ctx, map);
  }
  return map;
}

/** Sets or clears (null/empty) a secret. */
export function setSecret(ctx: DaemonContext, name: SecretName, value: string | null): void {
  if (value) secretMap(ctx).set(name, value);
  else secretMap(ctx).delete(name);
}

export function getSecret(ctx: DaemonContext, name: SecretName): string | undefined {
  return secretMap(ctx).get(name);
}

/** Names of the secrets held (for status answers; never the values). */
export function heldSecretNames(ctx: DaemonContext): SecretName[] {
  return [...secretMap(ctx).keys()].sort();
}
