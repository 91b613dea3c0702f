// The guard rails of autonomous changes, as pure rules. A live change that could alter what the
// application receives needs a quality signal for its worker (posted feedback, an evaluator, or a
// judge) before it is tested and applied; without one, only changes that cannot alter the answers
// apply by themselves: a cache of exact repeats at temperature 0, and a max_tokens cap above every
// output observed to stop on its own.
import type { Evaluator } from '../../shared/config';
import type { Proposal, WorkerMeasurements } from './optimizer';

export type QualitySignal = 'feedback' | 'evaluator' | 'judge' | 'none';

/** Posted scores on at least this many calls make feedback a worker's quality signal. */
export const MIN_FEEDBACK_CALLS = 10;

export function qualitySignalOf(w: Pick<WorkerMeasurements, 'qualityCount'> & { config: { evaluators: readonly Evaluator[] } | null }, hasJudge: boolean): QualitySignal {
  if (w.qualityCount >= MIN_FEEDBACK_CALLS) return 'feedback';
  const evaluators = w.config?.evaluators ?? [];
  if (evaluators.some((e) => e.type !== 'llm-rubric')) return 'evaluator';
  if (hasJudge && evaluators.some((e) => e.type === 'llm-rubric')) return 'judge';
  return 'none';
}

/**
 * Whether a live change leaves every answer the application receives as it would have been: a
 * cache only at temperature 0 (an exact repeat would get the same answer), a max_tokens only when
 * above every natural output seen (no output that stopped on its own would be cut).
 */
export function cannotAlterOutput(p: Proposal, w: Pick<WorkerMeasurements, 'temperature' | 'naturalOutputTokens'>): boolean {
  const fields = Object.keys(p.apply.override ?? {});
  if (fields.length === 0 || p.apply.promptVariant) return false;
  return fields.every((field) => {
    if (field === 'cache') return w.temperature === 0;
    if (field === 'max_tokens') {
      const cap = p.apply.override?.max_tokens;
      const longest = w.naturalOutputTokens.at(-1);
      return typeof cap === 'number' && longest !== undefined && cap > longest;
    }
    return false;
  });
}

export const SIGNAL_NEEDED =
  'it can change what the application receives, so it waits for a quality signal for this worker: post scores or ratings to /v1/feedback for its calls, declare an evaluator in flowtune.config.json, or configure a judge';

/** Why a proposal may not go ahead by itself now, or null when it may. */
export function waitReason(p: Proposal, w: WorkerMeasurements | undefined, signal: QualitySignal): string | null {
  if (!p.apply.override || !w) return null;
  if (signal !== 'none' || cannotAlterOutput(p, w)) return null;
  return SIGNAL_NEEDED;
}

/**
 * Cheaper models tried and rejected on one worker before the optimizer stops proposing more by
 * itself: each rejected live split exposed up to its bound of units to a worse arm, so this bounds
 * a worker's exposure to losing arms (regret) at MAX_REJECTED_MODEL_TRIALS bounds per analysis window.
 */
export const MAX_REJECTED_MODEL_TRIALS = 2;

export function modelTrialsExhausted(recs: ReadonlyArray<{ worker: string | null; optimizer: string; state: string; createdAt: number }>, worker: string, since: number): boolean {
  return recs.filter((r) => r.worker === worker && r.optimizer === 'model_selection' && r.state === 'rejected' && r.createdAt >= since).length >= MAX_REJECTED_MODEL_TRIALS;
}
