// Failure analysis over a window: error messages clustered into templates (Drain, ids and numbers
// masked), persisted, and root-cause attribution — which model, prompt version, input size, status
// code or hour the failures concentrate on, with lift and BH-corrected Fisher significance.
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { clusterErrors, type ErrorTemplate } from '../analysis/errorTemplates';
import { attributeFailures, inputSizeBucket, type Attribution, type DimensionCount } from '../analysis/failureAttribution';
import { MODEL_DIM, PROMPT_DIM, WORKER_DIM } from '../store/metricsQueries';
import type { TimeWindow } from '../store/workerQueries';

/** At most this many calls are read for one analysis (newest first): enough for attribution. */
const MAX_CALLS = 200_000;

export interface FailureTemplate extends Omit<ErrorTemplate, 'key'> {
  id: string;
  firstSeenAt: number;
  lastSeenAt: number;
}

export interface FailureAnalysis {
  since: number;
  until: number;
  worker: string | null;
  calls: number;
  failed: number;
  templates: FailureTemplate[];
  attributions: Attribution[];
  /** The strongest finding as one sentence, or a plain statement that nothing stands out. */
  summary: string;
}

interface CallRow {
  worker: string;
  model: string;
  promptVersion: string;
  inputTokens: number | null;
  httpStatus: number | null;
  startedAt: number;
  status: string;
  provider: string | null;
  errorType: string | null;
  errorMessage: string | null;
}

export function analyzeFailures(db: Database.Database, window: TimeWindow, worker?: string): FailureAnalysis {
  const rows = db
    .prepare(
      `SELECT ${WORKER_DIM} AS worker, ${MODEL_DIM} AS model, ${PROMPT_DIM} AS promptVersion, input_tokens AS inputTokens,
              http_status AS httpStatus, started_at AS startedAt, status, provider, error_type AS errorType, error_message AS errorMessage
       FROM calls WHERE started_at >= @since AND started_at < @until ${worker !== undefined ? 'AND worker = @worker' : ''}
       ORDER BY started_at DESC LIMIT ${MAX_CALLS}`,
    )
    .all({ since: window.since, until: window.until, worker }) as CallRow[];
  const failedRows = rows.filter((r) => r.status === 'error');

  const templates = persistTemplates(db, failedRows);
  const counts = new Map<string, DimensionCount>();
  const count = (dimension: string, value: string, failed: boolean) => {
    const key = `${dimension}\u0000${value}`;
    const entry = counts.get(key) ?? { dimension, value, failed: 0, total: 0 };
    entry.total++;
    if (failed) entry.failed++;
    counts.set(key, entry);
  };
  for (const row of rows) {
    const failed = row.status === 'error';
    if (worker === undefined) count('worker', row.worker, failed);
    count('model', row.model, failed);
    count('prompt version', row.promptVersion, failed);
    count('input size', row.inputTokens === null ? 'unknown' : inputSizeBucket(row.inputTokens), failed);
    count('status code', row.httpStatus === null ? 'none' : String(row.httpStatus), failed);
    count('hour', new Date(Math.floor(row.startedAt / 3_600_000) * 3_600_000).toISOString().slice(0, 13) + ':00Z', failed);
  }
  // The status code of a failure is its symptom, not its cause: keep it out of the causes ranked.
  const attributions = attributeFailures([...counts.values()].filter((c) => c.dimension !== 'status code'));
  const statusFindings = attributeFailures([...counts.values()].filter((c) => c.dimension === 'status code'));
  const summary =
    failedRows.length === 0
      ? 'No failed calls in this window.'
      : attributions.length > 0
        ? attributions[0].sentence
        : `${failedRows.length} of ${rows.length} calls failed, spread evenly: no model, prompt version, input size or time window stands out.`;
  return {
    since: window.since,
    until: window.until,
    worker: worker ?? null,
    calls: rows.length,
    failed: failedRows.length,
    templates,
    attributions: [...attributions, ...statusFindings],
    summary,
  };
}

function persistTemplates(db: Database.Database, failed: CallRow[]): FailureTemplate[] {
  const clustered = clusterErrors(
    failed.map((r) => ({ provider: r.provider ?? 'unknown', httpStatus: r.httpStatus, errorType: r.errorType, message: r.errorMessage ?? r.errorType ?? 'unknown error' })),
  );
  // Drain cluster ids are per run; the template text is what identifies a template across runs.
  const timesByTemplate = new Map<string, { first: number; last: number }>();
  const upsert = db.prepare(
    `INSERT INTO failure_templates (id, provider, http_status, error_type, template, count, first_seen_at, last_seen_at, example)
     VALUES (@id, @provider, @httpStatus, @errorType, @template, @count, @firstSeenAt, @lastSeenAt, @example)
     ON CONFLICT(id) DO UPDATE SET count = MAX(count, excluded.count), first_seen_at = MIN(first_seen_at, excluded.first_seen_at),
       last_seen_at = MAX(last_seen_at, excluded.last_seen_at)`,
  );
  const first = failed.length ? Math.min(...failed.map((r) => r.startedAt)) : 0;
  const last = failed.length ? Math.max(...failed.map((r) => r.startedAt)) : 0;
  const templates = clustered.map((t): FailureTemplate => {
    const id = createHash('sha256').update(`${t.provider}|${t.httpStatus ?? ''}|${t.errorType ?? ''}|${t.template}`).digest('hex').slice(0, 16);
    const times = timesByTemplate.get(id) ?? { first, last };
    return { id, provider: t.provider, httpStatus: t.httpStatus, errorType: t.errorType, template: t.template, count: t.count, example: t.example, firstSeenAt: times.first, lastSeenAt: times.last };
  });
  db.transaction(() => {
    for (const t of templates) upsert.run(t);
  })();
  return templates;
}
