// Live split through the proxy: a traffic-split override (control arm unchanged, treatment arm with
// the change), assignment by run id, read back from calls.variant, decided with decideLiveSplit.
import type Database from 'better-sqlite3';
import type { Evaluator } from '../../../shared/config';
import type { TrafficSplit } from '../../../shared/http/overrides';
import { scoreRule, type RuleEvaluator } from '../evaluators/ruleEvaluators';
import type { OverrideFields } from '../applyChange';
import type { ExperimentObservation } from '../stats';

export const CONTROL_ARM = 'control';
export const TREATMENT_ARM = 'treatment';

/** Split arms can carry model, max_tokens, temperature and prompt_variant; other changes cannot be split. */
export function splittable(fields: OverrideFields): boolean {
  return Object.keys(fields).every((k) => ['model', 'max_tokens', 'temperature', 'prompt_variant'].includes(k));
}

export function splitFor(experimentId: string, fields: OverrideFields): TrafficSplit {
  const treatment: Record<string, unknown> = { name: TREATMENT_ARM, weight: 1 };
  for (const [key, value] of Object.entries(fields)) if (value !== null && value !== undefined) treatment[key] = value;
  return { salt: experimentId, arms: [{ name: CONTROL_ARM, weight: 1 }, treatment as TrafficSplit['arms'][number]] };
}

interface CallRow {
  id: string;
  variant: string;
  status: string;
  cost_usd: number | null;
  latency_ms: number | null;
  output_text: string | null;
  q: number | null;
}

/**
 * Quality of a live call: its posted scores, else the worker's rule evaluators, else success. When
 * the application posts feedback for this worker, a call without a score has no quality (NaN) rather
 * than a made-up 1: mixing the two would dilute the signal the decision rests on.
 */
function callQuality(row: CallRow, evaluators: readonly Evaluator[], feedback: boolean): number {
  if (row.q !== null) return row.q;
  if (feedback) return Number.NaN;
  if (row.status !== 'ok') return 0;
  const rules = evaluators.filter((e): e is RuleEvaluator => e.type !== 'llm-rubric');
  if (rules.length > 0 && row.output_text !== null) return rules.reduce((s, e) => s + scoreRule(e, row.output_text as string).value, 0) / rules.length;
  return 1;
}

export function liveSplitObservations(
  db: Database.Database,
  worker: string,
  since: number,
  evaluators: readonly Evaluator[],
): { control: ExperimentObservation[]; treatment: ExperimentObservation[] } {
  const rows = db
    .prepare(
      `SELECT c.id, c.variant, c.status, c.cost_usd, c.latency_ms, c.output_text,
              (SELECT AVG(s.value) FROM scores s WHERE s.call_id = c.id AND s.value IS NOT NULL) AS q
       FROM calls c WHERE c.worker = ? AND c.started_at >= ? AND c.variant IN (?, ?)`,
    )
    .all(worker, since, CONTROL_ARM, TREATMENT_ARM) as CallRow[];
  const out = { control: [] as ExperimentObservation[], treatment: [] as ExperimentObservation[] };
  const feedback = rows.some((r) => r.q !== null);
  for (const row of rows) {
    const observation = { cost: row.cost_usd ?? 0, latencyMs: row.latency_ms ?? 0, quality: callQuality(row, evaluators, feedback), success: row.status === 'ok' };
    (row.variant === CONTROL_ARM ? out.control : out.treatment).push(observation);
  }
  return out;
}
