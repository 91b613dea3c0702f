// Versioned, forward-only schema migrations. The applied version lives in SQLite's `user_version`.
// Never edit a shipped migration: add a new one at the end.
import type Database from 'better-sqlite3';
import { RUN_REFS_MIGRATION } from './runRefsMigration';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'runs, steps, calls, scores, hourly rollups',
    sql: `
      CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        name TEXT,
        source TEXT NOT NULL,
        started_at REAL NOT NULL,
        ended_at REAL,
        status TEXT NOT NULL DEFAULT 'unset',
        exit_code INTEGER,
        command TEXT,
        service_name TEXT,
        attributes TEXT
      );
      CREATE INDEX runs_started_at ON runs(started_at);

      CREATE TABLE steps (
        id TEXT PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        parent_step_id TEXT,
        worker TEXT NOT NULL,
        kind TEXT NOT NULL,
        started_at REAL NOT NULL,
        ended_at REAL,
        status TEXT NOT NULL DEFAULT 'unset',
        error_message TEXT,
        attributes TEXT
      );
      CREATE INDEX steps_run ON steps(run_id);
      -- Time only (retention deletes by it): a step index led by worker would take one random leaf
      -- page per worker in every ingest commit, and no query reads steps by worker.
      CREATE INDEX steps_time ON steps(started_at);

      CREATE TABLE calls (
        id TEXT PRIMARY KEY,
        run_id TEXT REFERENCES runs(id) ON DELETE CASCADE,
        step_id TEXT,
        worker TEXT,
        source TEXT NOT NULL,
        provider TEXT,
        operation TEXT NOT NULL,
        request_model TEXT,
        response_model TEXT,
        temperature REAL,
        max_tokens INTEGER,
        top_p REAL,
        stream INTEGER,
        input_tokens INTEGER,
        output_tokens INTEGER,
        cached_tokens INTEGER,
        reasoning_tokens INTEGER,
        cost_usd REAL,
        cost_source TEXT,
        started_at REAL NOT NULL,
        latency_ms REAL,
        ttft_ms REAL,
        finish_reason TEXT,
        status TEXT NOT NULL,
        http_status INTEGER,
        error_type TEXT,
        error_message TEXT,
        prompt_id TEXT,
        prompt_version TEXT,
        prompt_fingerprint TEXT,
        source_file TEXT,
        source_line INTEGER,
        input_text TEXT,
        output_text TEXT,
        content_mode TEXT NOT NULL DEFAULT 'full',
        cache_hit INTEGER,
        variant TEXT,
        retry_count INTEGER,
        trace_id TEXT,
        span_id TEXT,
        -- 1 while the call waits for its parent span (worker unknown): not yet in the rollups.
        rollup_pending INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX calls_worker_time ON calls(worker, started_at);
      CREATE INDEX calls_rollup_pending ON calls(started_at) WHERE rollup_pending = 1;
      CREATE INDEX calls_time ON calls(started_at);
      CREATE INDEX calls_run ON calls(run_id);

      CREATE TABLE scores (
        id INTEGER PRIMARY KEY,
        call_id TEXT,
        run_id TEXT,
        worker TEXT,
        name TEXT NOT NULL,
        value REAL,
        raw_value REAL,
        label TEXT,
        comment TEXT,
        source TEXT NOT NULL,
        created_at REAL NOT NULL
      );
      CREATE INDEX scores_call ON scores(call_id);
      CREATE INDEX scores_worker_time ON scores(worker, created_at);

      -- One row per worker x model x prompt version x hour: what long-horizon queries read,
      -- and what survives when raw rows pass the retention horizon.
      CREATE TABLE call_rollups (
        worker TEXT NOT NULL,
        model TEXT NOT NULL,
        prompt_version TEXT NOT NULL,
        bucket_start INTEGER NOT NULL,
        calls INTEGER NOT NULL DEFAULT 0,
        errors INTEGER NOT NULL DEFAULT 0,
        cancelled INTEGER NOT NULL DEFAULT 0,
        rate_limited INTEGER NOT NULL DEFAULT 0,
        cache_hits INTEGER NOT NULL DEFAULT 0,
        length_stops INTEGER NOT NULL DEFAULT 0,
        streamed_without_usage INTEGER NOT NULL DEFAULT 0,
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        cached_tokens INTEGER NOT NULL DEFAULT 0,
        reasoning_tokens INTEGER NOT NULL DEFAULT 0,
        cost_usd REAL NOT NULL DEFAULT 0,
        latency_sum REAL NOT NULL DEFAULT 0,
        latency_count INTEGER NOT NULL DEFAULT 0,
        ttft_sum REAL NOT NULL DEFAULT 0,
        ttft_count INTEGER NOT NULL DEFAULT 0,
        quality_sum REAL NOT NULL DEFAULT 0,
        quality_count INTEGER NOT NULL DEFAULT 0,
        latency_sketch BLOB,
        PRIMARY KEY (worker, model, prompt_version, bucket_start)
      ) WITHOUT ROWID;
      -- Covering index for time-window reads: the table rows carry a sketch BLOB each, which makes a
      -- scan of the table itself read megabytes; every non-BLOB column is here, so those reads never
      -- touch the table.
      CREATE INDEX call_rollups_time ON call_rollups(bucket_start, worker, model, prompt_version, calls, errors,
        cancelled, rate_limited, cache_hits, length_stops, streamed_without_usage, input_tokens, output_tokens,
        cached_tokens, reasoning_tokens, cost_usd, latency_sum, latency_count, ttft_sum, ttft_count, quality_sum,
        quality_count);
    `,
  },
  {
    version: 2,
    name: 'proxy: overrides with history, prompt variants, response cache, request hashes',
    sql: `
      -- The live override per worker (one JSON spec), and every change to it so each is reversible.
      CREATE TABLE proxy_overrides (
        worker TEXT PRIMARY KEY,
        spec TEXT NOT NULL,
        set_by TEXT NOT NULL,
        reason TEXT NOT NULL,
        set_at REAL NOT NULL
      );
      CREATE TABLE proxy_override_history (
        id INTEGER PRIMARY KEY,
        worker TEXT NOT NULL,
        action TEXT NOT NULL,
        before_spec TEXT,
        after_spec TEXT,
        set_by TEXT NOT NULL,
        reason TEXT NOT NULL,
        at REAL NOT NULL,
        reverted_by INTEGER
      );
      CREATE INDEX proxy_override_history_worker ON proxy_override_history(worker, id);

      -- Stored system prompts an override or a traffic split can put in place of the app's own.
      CREATE TABLE prompt_variants (
        id TEXT PRIMARY KEY,
        worker TEXT,
        system_prompt TEXT NOT NULL,
        description TEXT,
        created_by TEXT NOT NULL,
        created_at REAL NOT NULL
      );

      -- Successful responses kept for replay, keyed by the canonical request hash.
      CREATE TABLE proxy_cache (
        cache_key TEXT PRIMARY KEY,
        worker TEXT,
        call_id TEXT NOT NULL,
        http_status INTEGER NOT NULL,
        headers TEXT NOT NULL,
        body BLOB NOT NULL,
        stream INTEGER NOT NULL,
        summary TEXT NOT NULL,
        latency_ms REAL,
        created_at REAL NOT NULL,
        expires_at REAL NOT NULL,
        hits INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX proxy_cache_expires ON proxy_cache(expires_at);

      -- One row per cache hit: what the original call cost and how long it took, i.e. what was saved.
      CREATE TABLE proxy_cache_hits (
        call_id TEXT PRIMARY KEY,
        worker TEXT NOT NULL,
        cache_key TEXT NOT NULL,
        source_call_id TEXT NOT NULL,
        saved_usd REAL,
        saved_ms REAL,
        at REAL NOT NULL
      );
      CREATE INDEX proxy_cache_hits_worker_time ON proxy_cache_hits(worker, at);

      -- Every cacheable request's hash, cache on or off: the duplicate rate predicts what a cache would save.
      CREATE TABLE proxy_request_hashes (
        worker TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        at REAL NOT NULL
      );
      CREATE INDEX proxy_request_hashes_worker_time ON proxy_request_hashes(worker, at);
      CREATE INDEX proxy_request_hashes_time ON proxy_request_hashes(at);
    `,
  },
  {
    version: 3,
    name: 'watch and improve: anomalies with lifecycle, failure templates, recommendations, experiments, decision log',
    sql: `
      -- One row per (kind, series): de-duplicated; reopened rather than duplicated.
      CREATE TABLE anomalies (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        severity TEXT NOT NULL,
        state TEXT NOT NULL,
        series TEXT NOT NULL,
        metric TEXT NOT NULL,
        worker TEXT,
        model TEXT,
        prompt_version TEXT,
        began_at REAL NOT NULL,
        last_seen_at REAL NOT NULL,
        resolved_at REAL,
        baseline REAL,
        current REAL,
        score REAL,
        title TEXT NOT NULL,
        evidence TEXT NOT NULL,
        suspected_cause TEXT
      );
      CREATE INDEX anomalies_state ON anomalies(state, last_seen_at);
      CREATE INDEX anomalies_worker ON anomalies(worker, state);
      CREATE TABLE anomaly_transitions (
        id INTEGER PRIMARY KEY,
        anomaly_id TEXT NOT NULL REFERENCES anomalies(id) ON DELETE CASCADE,
        at REAL NOT NULL,
        from_state TEXT,
        to_state TEXT NOT NULL,
        detail TEXT
      );
      CREATE INDEX anomaly_transitions_anomaly ON anomaly_transitions(anomaly_id, at);

      -- Error-message templates (Drain), persisted so clustering survives restarts.
      CREATE TABLE failure_templates (
        id TEXT PRIMARY KEY,
        provider TEXT,
        http_status INTEGER,
        error_type TEXT,
        template TEXT NOT NULL,
        count INTEGER NOT NULL,
        first_seen_at REAL NOT NULL,
        last_seen_at REAL NOT NULL,
        example TEXT
      );

      -- Optimizer proposals and their fate. change/evidence/expected_gain/edit are JSON.
      CREATE TABLE recommendations (
        id TEXT PRIMARY KEY,
        optimizer TEXT NOT NULL,
        worker TEXT,
        title TEXT NOT NULL,
        state TEXT NOT NULL,
        change TEXT NOT NULL,
        evidence TEXT NOT NULL,
        expected_gain TEXT NOT NULL,
        confidence REAL NOT NULL,
        edit TEXT,
        experiment_id TEXT,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
      );
      CREATE INDEX recommendations_state ON recommendations(state, worker);

      CREATE TABLE experiments (
        id TEXT PRIMARY KEY,
        recommendation_id TEXT,
        kind TEXT NOT NULL,
        worker TEXT,
        state TEXT NOT NULL,
        control TEXT NOT NULL,
        treatment TEXT NOT NULL,
        result TEXT,
        spent_usd REAL NOT NULL DEFAULT 0,
        started_at REAL NOT NULL,
        ended_at REAL
      );
      CREATE INDEX experiments_state ON experiments(state);
      CREATE TABLE experiment_samples (
        id INTEGER PRIMARY KEY,
        experiment_id TEXT NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
        arm TEXT NOT NULL,
        pair_key TEXT,
        call_id TEXT,
        cost_usd REAL,
        latency_ms REAL,
        quality REAL,
        success INTEGER NOT NULL,
        at REAL NOT NULL
      );
      CREATE INDEX experiment_samples_experiment ON experiment_samples(experiment_id, arm);

      -- Every decision, autonomous or human, with its evidence: the system documents its own changes.
      CREATE TABLE decisions (
        id INTEGER PRIMARY KEY,
        at REAL NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        recommendation_id TEXT,
        experiment_id TEXT,
        worker TEXT,
        summary TEXT NOT NULL,
        evidence TEXT NOT NULL
      );
      CREATE INDEX decisions_time ON decisions(at);
    `,
  },
  // Version 4 is reserved for another change in flight; migrate() skips absent versions.
  {
    version: 4,
    name: 'AI insights: analyses and the hypotheses they hand to the experiment pipeline',
    sql: `
      -- One row per answered analysis (model or rules); statistics/result are JSON. Written with its
      -- hypotheses in one transaction, only once the answer was complete and valid.
      CREATE TABLE insight_analyses (
        id TEXT PRIMARY KEY,
        worker TEXT NOT NULL,
        source TEXT NOT NULL,
        model TEXT,
        call_id TEXT,
        statistics TEXT NOT NULL,
        result TEXT NOT NULL,
        created_at REAL NOT NULL
      );
      CREATE INDEX insight_analyses_worker ON insight_analyses(worker, created_at);
      -- A model's suggestion that an experiment can test; never applied by itself. Its fate is the
      -- recommendation the optimization cycle creates for it (evidence.hypothesis_id names this row).
      CREATE TABLE insight_hypotheses (
        id TEXT PRIMARY KEY,
        analysis_id TEXT NOT NULL REFERENCES insight_analyses(id) ON DELETE CASCADE,
        worker TEXT NOT NULL,
        category TEXT NOT NULL,
        title TEXT NOT NULL,
        change TEXT NOT NULL,
        override TEXT NOT NULL,
        expected_gain TEXT NOT NULL,
        evidence TEXT NOT NULL,
        confidence REAL NOT NULL,
        state TEXT NOT NULL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
      );
      CREATE INDEX insight_hypotheses_state ON insight_hypotheses(state, worker);
    `,
  },
  RUN_REFS_MIGRATION,
  {
    version: 6,
    name: 'calls.response_id: one row for a call seen by the proxy and by an instrumentation',
    sql: `
      ALTER TABLE calls ADD COLUMN response_id TEXT;
      CREATE INDEX calls_response_id ON calls(response_id) WHERE response_id IS NOT NULL;
    `,
  },
];

export class StoreVersionError extends Error {}

/** Apply every migration newer than the database's version, each in its own transaction. */
export function migrate(db: Database.Database, migrations: Migration[] = MIGRATIONS): number {
  // Versions must be 1, 2, 3, … in order: a gap or a later insertion would be skipped by stores past it.
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) throw new Error(`migration "${migration.name}" has version ${migration.version}, expected ${index + 1}`);
  });
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  if (current > latest) {
    throw new StoreVersionError(
      `the store was written by a newer Flowtune (schema version ${current}, this one knows ${latest}); upgrade Flowtune or use another data dir`,
    );
  }
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      // A migration that rebuilds tables must leave every reference intact; if not, it rolls back.
      const broken = db.pragma('foreign_key_check') as Array<{ table: string; parent: string }>;
      if (broken.length > 0) {
        throw new Error(`migration "${migration.name}" left ${broken.length} broken reference(s), e.g. ${broken[0].table} → ${broken[0].parent}; the store was not changed`);
      }
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
  return db.pragma('user_version', { simple: true }) as number;
}
