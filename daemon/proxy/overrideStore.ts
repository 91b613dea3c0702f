// Live overrides per worker and stored prompt variants, in SQLite so they survive a restart. Every
// change writes a history row with the state before and after, which is what makes "undo the last
// change" a single call that restores exactly the previous state.
import type Database from 'better-sqlite3';
import {
  overrideSpecSchema,
  type OverrideHistoryEntry,
  type OverrideSpec,
  type OverrideView,
  type PutOverrideRequest,
} from '../../shared/http/overrides';

export interface PromptVariant {
  id: string;
  worker: string | null;
  system_prompt: string;
  description: string | null;
  created_by: string;
  created_at: number;
}

interface OverrideRow {
  worker: string;
  spec: string;
  set_by: string;
  reason: string;
  set_at: number;
}

interface HistoryRow {
  id: number;
  worker: string;
  action: 'set' | 'revert' | 'clear';
  before_spec: string | null;
  after_spec: string | null;
  set_by: string;
  reason: string;
  at: number;
  reverted_by: number | null;
}

function parseSpec(text: string | null): OverrideSpec | null {
  return text === null ? null : overrideSpecSchema.parse(JSON.parse(text));
}

function isEmptySpec(spec: OverrideSpec): boolean {
  return Object.values(spec).every((value) => value === undefined);
}

/** The spec after applying a PUT: fields given replace, nulls remove, the rest stay (unless replace). */
export function mergeOverride(current: OverrideSpec | null, request: Pick<PutOverrideRequest, 'set' | 'replace'>): OverrideSpec {
  const merged: Record<string, unknown> = request.replace ? {} : { ...(current ?? {}) };
  for (const [key, value] of Object.entries(request.set)) {
    if (value === undefined) continue;
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return overrideSpecSchema.parse(merged);
}

export class OverrideStore {
  private readonly selectOne: Database.Statement;
  private readonly selectAll: Database.Statement;
  private readonly upsert: Database.Statement;
  private readonly remove: Database.Statement;
  private readonly insertHistory: Database.Statement;
  private readonly lastOpenChange: Database.Statement;
  private readonly markReverted: Database.Statement;
  private readonly history: Database.Statement;
  private readonly selectVariant: Database.Statement;
  private readonly selectVariants: Database.Statement;
  private readonly upsertVariant: Database.Statement;
  /**
   * The proxy reads a worker's override on every request: parsed specs are kept here (frozen, shared)
   * and dropped on every change. Every writer goes through this store (one per daemon), so the copy
   * cannot go stale. Bounded, because worker names come from client headers.
   */
  private readonly specCache = new Map<string, Readonly<OverrideSpec> | null>();
  private readonly variantCache = new Map<string, Readonly<PromptVariant> | null>();

  constructor(private readonly db: Database.Database) {
    this.selectOne = db.prepare('SELECT worker, spec, set_by, reason, set_at FROM proxy_overrides WHERE worker = ?');
    this.selectAll = db.prepare('SELECT worker, spec, set_by, reason, set_at FROM proxy_overrides ORDER BY worker');
    this.upsert = db.prepare(`
      INSERT INTO proxy_overrides (worker, spec, set_by, reason, set_at) VALUES (@worker, @spec, @setBy, @reason, @at)
      ON CONFLICT(worker) DO UPDATE SET spec = excluded.spec, set_by = excluded.set_by, reason = excluded.reason, set_at = excluded.set_at`);
    this.remove = db.prepare('DELETE FROM proxy_overrides WHERE worker = ?');
    this.insertHistory = db.prepare(`
      INSERT INTO proxy_override_history (worker, action, before_spec, after_spec, set_by, reason, at)
      VALUES (@worker, @action, @before, @after, @setBy, @reason, @at)`);
    // The latest change not yet undone; undoing walks back through changes one at a time.
    this.lastOpenChange = db.prepare(`
      SELECT * FROM proxy_override_history
      WHERE worker = ? AND action IN ('set', 'clear') AND reverted_by IS NULL
      ORDER BY id DESC LIMIT 1`);
    this.markReverted = db.prepare('UPDATE proxy_override_history SET reverted_by = ? WHERE id = ?');
    this.history = db.prepare('SELECT * FROM proxy_override_history WHERE worker = ? ORDER BY id DESC LIMIT ?');
    this.selectVariant = db.prepare('SELECT * FROM prompt_variants WHERE id = ?');
    this.selectVariants = db.prepare('SELECT * FROM prompt_variants ORDER BY id');
    this.upsertVariant = db.prepare(`
      INSERT INTO prompt_variants (id, worker, system_prompt, description, created_by, created_at)
      VALUES (@id, @worker, @systemPrompt, @description, @createdBy, @at)
      ON CONFLICT(id) DO UPDATE SET worker = excluded.worker, system_prompt = excluded.system_prompt,
        description = excluded.description, created_by = excluded.created_by, created_at = excluded.created_at`);
  }

  get(worker: string): OverrideView | null {
    const row = this.selectOne.get(worker) as OverrideRow | undefined;
    return row ? toView(row) : null;
  }

  /** The worker's override spec for the proxy's hot path: cached, read-only. */
  specFor(worker: string): Readonly<OverrideSpec> | null {
    const cached = this.specCache.get(worker);
    if (cached !== undefined) return cached;
    const spec = this.get(worker)?.spec ?? null;
    const frozen = spec ? deepFreeze(spec) : null;
    remember(this.specCache, worker, frozen);
    return frozen;
  }

  /** A prompt variant for the proxy's hot path: cached, read-only. */
  variantFor(id: string): Readonly<PromptVariant> | null {
    const cached = this.variantCache.get(id);
    if (cached !== undefined) return cached;
    const variant = this.variant(id);
    const frozen = variant ? Object.freeze(variant) : null;
    remember(this.variantCache, id, frozen);
    return frozen;
  }

  list(): OverrideView[] {
    return (this.selectAll.all() as OverrideRow[]).map(toView);
  }

  /** Applies a change and records it; returns the new override (null when it became empty). */
  set(worker: string, request: PutOverrideRequest, at = Date.now()): OverrideView | null {
    this.specCache.clear();
    return this.db.transaction(() => {
      const before = this.get(worker);
      const after = mergeOverride(before?.spec ?? null, request);
      const afterOrNull = isEmptySpec(after) ? null : after;
      this.write(worker, afterOrNull, request.set_by, request.reason, at);
      this.insertHistory.run({
        worker,
        action: 'set',
        before: before ? JSON.stringify(before.spec) : null,
        after: afterOrNull ? JSON.stringify(afterOrNull) : null,
        setBy: request.set_by,
        reason: request.reason,
        at,
      });
      return this.get(worker);
    })();
  }

  /**
   * Undoes the latest change (or, with `all`, removes the whole override). Returns the restored
   * override, or undefined when there was nothing to undo.
   */
  revert(worker: string, by: { set_by: string; reason: string; all: boolean }, at = Date.now()): { restored: OverrideView | null } | undefined {
    this.specCache.clear();
    return this.db.transaction(() => {
      const current = this.get(worker);
      if (by.all) {
        if (!current) return undefined;
        this.remove.run(worker);
        this.insertHistory.run({ worker, action: 'clear', before: JSON.stringify(current.spec), after: null, setBy: by.set_by, reason: by.reason, at });
        return { restored: null };
      }
      const change = this.lastOpenChange.get(worker) as HistoryRow | undefined;
      if (!change) return undefined;
      const restoredSpec = parseSpec(change.before_spec);
      this.write(worker, restoredSpec, by.set_by, by.reason, at);
      const info = this.insertHistory.run({
        worker,
        action: 'revert',
        before: current ? JSON.stringify(current.spec) : null,
        after: change.before_spec,
        setBy: by.set_by,
        reason: by.reason,
        at,
      });
      this.markReverted.run(Number(info.lastInsertRowid), change.id);
      return { restored: this.get(worker) };
    })();
  }

  historyFor(worker: string, limit = 100): OverrideHistoryEntry[] {
    return (this.history.all(worker, limit) as HistoryRow[]).map((row) => ({
      id: row.id,
      worker: row.worker,
      action: row.action,
      before: parseSpec(row.before_spec),
      after: parseSpec(row.after_spec),
      set_by: row.set_by,
      reason: row.reason,
      at: row.at,
      reverted_by: row.reverted_by,
    }));
  }

  variant(id: string): PromptVariant | null {
    return (this.selectVariant.get(id) as PromptVariant | undefined) ?? null;
  }

  variants(): PromptVariant[] {
    return this.selectVariants.all() as PromptVariant[];
  }

  putVariant(variant: { id: string; worker?: string; system_prompt: string; description?: string; created_by: string }, at = Date.now()): PromptVariant {
    this.variantCache.clear();
    this.upsertVariant.run({
      id: variant.id,
      worker: variant.worker ?? null,
      systemPrompt: variant.system_prompt,
      description: variant.description ?? null,
      createdBy: variant.created_by,
      at,
    });
    return this.variant(variant.id) as PromptVariant;
  }

  private write(worker: string, spec: OverrideSpec | null, setBy: string, reason: string, at: number): void {
    if (spec === null) this.remove.run(worker);
    else this.upsert.run({ worker, spec: JSON.stringify(spec), setBy, reason, at });
  }
}

const CACHE_LIMIT = 1024;

function remember<T>(cache: Map<string, T>, key: string, value: T): void {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value as Record<string, unknown>)) deepFreeze(member);
  }
  return value;
}

function toView(row: OverrideRow): OverrideView {
  return { worker: row.worker, spec: parseSpec(row.spec) as OverrideSpec, set_by: row.set_by, reason: row.reason, set_at: row.set_at };
}
