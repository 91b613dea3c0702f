// Applying a change as a live proxy override, and rolling it back field by field: the fields the
// change set are restored to exactly what they were before (who='flowtune' or 'human', why=evidence).
import type { OverrideSpec, PutOverrideRequest } from '../../shared/http/overrides';
import type { OverrideStore } from '../proxy/overrideStore';
import type { Proposal } from './optimizer';

export type OverrideFields = NonNullable<Proposal['apply']['override']>;

export interface AppliedOverride {
  worker: string;
  set: OverrideFields;
  /** The same fields before the change (null: the field was absent). */
  before: Record<string, unknown>;
  at: number;
}

function fieldsBefore(current: OverrideSpec | null, set: OverrideFields): Record<string, unknown> {
  const before: Record<string, unknown> = {};
  for (const key of Object.keys(set)) before[key] = (current as Record<string, unknown> | null)?.[key] ?? null;
  return before;
}

export function applyOverride(
  overrides: OverrideStore,
  worker: string,
  set: OverrideFields,
  by: { actor: string; reason: string },
  promptVariant?: { id: string; systemPrompt: string; description: string },
  at = Date.now(),
): AppliedOverride {
  if (promptVariant) overrides.putVariant({ id: promptVariant.id, worker, system_prompt: promptVariant.systemPrompt, description: promptVariant.description, created_by: by.actor }, at);
  const before = fieldsBefore(overrides.get(worker)?.spec ?? null, set);
  overrides.set(worker, { set: set as PutOverrideRequest['set'], replace: false, set_by: by.actor, reason: by.reason.slice(0, 2000) }, at);
  return { worker, set, before, at };
}

/** Restores the fields an applied change set; other fields changed since are left alone. */
export function rollbackOverride(overrides: OverrideStore, applied: AppliedOverride, by: { actor: string; reason: string }, at = Date.now()): void {
  overrides.set(applied.worker, { set: applied.before as PutOverrideRequest['set'], replace: false, set_by: by.actor, reason: by.reason.slice(0, 2000) }, at);
}
