// Schema version 5: runs get an integer key in arrival order (`ref`), and steps and calls reach their
// run through it (`run_ref`). Why: run ids are random strings (trace ids, uuids), so an index on
// calls.run_id or steps.run_id took one random leaf page per run in every ingest commit — with 16 KiB
// pages, ~2.3 KB of WAL per span for those two indexes alone. Refs grow with time, so the run indexes
// now append at their right edge. `run_id` stays on steps and calls as plain data (readers unchanged);
// only lookups by run go through `run_ref`. SQLite cannot change a primary key in place, so the three
// tables are rebuilt: new tables first, then the old ones dropped children-first (with foreign keys
// on, dropping a parent still referenced would cascade), then renamed (SQLite rewrites the
// REFERENCES clauses on rename).
import type { Migration } from './migrations';

export const RUN_REFS_MIGRATION: Migration = {
  version: 5,
  name: 'integer run keys: steps and calls reference runs by ref, so run indexes append',
  sql: `
    CREATE TABLE runs_next (
      ref INTEGER PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
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
    INSERT INTO runs_next (id, name, source, started_at, ended_at, status, exit_code, command, service_name, attributes)
      SELECT id, name, source, started_at, ended_at, status, exit_code, command, service_name, attributes
      FROM runs ORDER BY started_at, rowid;

    CREATE TABLE steps_next (
      id TEXT PRIMARY KEY,
      run_ref INTEGER NOT NULL REFERENCES runs_next(ref) ON DELETE CASCADE,
      run_id TEXT NOT NULL,
      parent_step_id TEXT,
      worker TEXT NOT NULL,
      kind TEXT NOT NULL,
      started_at REAL NOT NULL,
      ended_at REAL,
      status TEXT NOT NULL DEFAULT 'unset',
      error_message TEXT,
      attributes TEXT
    );
    INSERT INTO steps_next (id, run_ref, run_id, parent_step_id, worker, kind, started_at, ended_at, status, error_message, attributes)
      SELECT s.id, r.ref, s.run_id, s.parent_step_id, s.worker, s.kind, s.started_at, s.ended_at, s.status, s.error_message, s.attributes
      FROM steps s JOIN runs_next r ON r.id = s.run_id ORDER BY s.rowid;

    CREATE TABLE calls_next (
      id TEXT PRIMARY KEY,
      run_ref INTEGER REFERENCES runs_next(ref) ON DELETE CASCADE,
      run_id TEXT,
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
    INSERT INTO calls_next (rowid, id, run_ref, run_id, step_id, worker, source, provider, operation, request_model,
        response_model, temperature, max_tokens, top_p, stream, input_tokens, output_tokens, cached_tokens,
        reasoning_tokens, cost_usd, cost_source, started_at, latency_ms, ttft_ms, finish_reason, status, http_status,
        error_type, error_message, prompt_id, prompt_version, prompt_fingerprint, source_file, source_line, input_text,
        output_text, content_mode, cache_hit, variant, retry_count, trace_id, span_id, rollup_pending)
      SELECT c.rowid, c.id, r.ref, c.run_id, c.step_id, c.worker, c.source, c.provider, c.operation, c.request_model,
        c.response_model, c.temperature, c.max_tokens, c.top_p, c.stream, c.input_tokens, c.output_tokens, c.cached_tokens,
        c.reasoning_tokens, c.cost_usd, c.cost_source, c.started_at, c.latency_ms, c.ttft_ms, c.finish_reason, c.status,
        c.http_status, c.error_type, c.error_message, c.prompt_id, c.prompt_version, c.prompt_fingerprint, c.source_file,
        c.source_line, c.input_text, c.output_text, c.content_mode, c.cache_hit, c.variant, c.retry_count, c.trace_id,
        c.span_id, c.rollup_pending
      FROM calls c LEFT JOIN runs_next r ON r.id = c.run_id ORDER BY c.rowid;

    DROP TABLE calls;
    DROP TABLE steps;
    DROP TABLE runs;
    ALTER TABLE runs_next RENAME TO runs;
    ALTER TABLE steps_next RENAME TO steps;
    ALTER TABLE calls_next RENAME TO calls;

    CREATE INDEX runs_started_at ON runs(started_at);
    CREATE INDEX steps_run ON steps(run_ref);
    -- Time only (retention deletes by it): a step index led by worker would take one random leaf
    -- page per worker in every ingest commit, and no query reads steps by worker.
    CREATE INDEX steps_time ON steps(started_at);
    CREATE INDEX calls_worker_time ON calls(worker, started_at);
    CREATE INDEX calls_rollup_pending ON calls(started_at) WHERE rollup_pending = 1;
    CREATE INDEX calls_time ON calls(started_at);
    CREATE INDEX calls_run ON calls(run_ref);
  `,
};
