// Root-cause attribution for failures: for each dimension (model, prompt version, input-size
// bucket, status code, time window) and value, how much more often calls with that value fail
// than the rest (lift), whether that is significant (one-sided Fisher exact, BH-corrected across
// every value tested), and a sentence a user understands.
import { fisherExactGreater } from './fisher';
import { benjaminiHochberg } from './multipleTesting';

export interface DimensionCount {
  /** e.g. 'model', 'prompt version', 'input size', 'status code', 'time window'. */
  dimension: string;
  value: string;
  failed: number;
  total: number;
}

export interface Attribution {
  dimension: string;
  value: string;
  failed: number;
  total: number;
  /** Share of all failures that carry this value. */
  failureShare: number;
  /** Share of all calls that carry this value. */
  callShare: number;
  /** Failure rate with the value ÷ overall failure rate (= failureShare / callShare). */
  lift: number;
  p: number;
  /** BH-adjusted p across all tested values. */
  q: number;
  sentence: string;
}

export interface AttributionOptions {
  minFailures?: number;
  minLift?: number;
  fdr?: number;
}

const fmtP = (p: number) => (p < 0.001 ? 'p<0.001' : `p=${p.toFixed(3)}`);
const fmtPct = (x: number) => `${Math.round(100 * x)}%`;

/** Names the value the way a person would: "model gpt-4o-mini", "status code 429". */
function subject(dimension: string, value: string): string {
  return `${dimension} ${value}`;
}

export function attributionSentence(a: Pick<Attribution, 'dimension' | 'value' | 'failureShare' | 'lift' | 'q'>): string {
  return `${fmtPct(a.failureShare)} of failures come from ${subject(a.dimension, a.value)} `
    + `(${a.lift.toFixed(1)}× its share of calls, ${fmtP(a.q)})`;
}

/**
 * Ranks the values where failures concentrate. Totals are per dimension (each dimension is a full
 * partition of the calls). Returns only findings with lift ≥ minLift, ≥ minFailures failures and
 * BH q ≤ fdr, strongest first.
 */
export function attributeFailures(counts: readonly DimensionCount[], o: AttributionOptions = {}): Attribution[] {
  const minFailures = o.minFailures ?? 3;
  const minLift = o.minLift ?? 1.5;
  const fdr = o.fdr ?? 0.05;
  const totals = new Map<string, { failed: number; total: number }>();
  for (const c of counts) {
    if (!(c.total > 0) || c.failed < 0 || c.failed > c.total) continue;
    const t = totals.get(c.dimension) ?? { failed: 0, total: 0 };
    t.failed += c.failed;
    t.total += c.total;
    totals.set(c.dimension, t);
  }
  const tested: Omit<Attribution, 'q' | 'sentence'>[] = [];
  for (const c of counts) {
    const t = totals.get(c.dimension);
    if (!t || !(c.total > 0) || c.failed < 0 || c.failed > c.total || t.failed === 0 || c.total === t.total) continue;
    const failureShare = c.failed / t.failed;
    const callShare = c.total / t.total;
    const lift = failureShare / callShare;
    const p = fisherExactGreater(c.failed, c.total - c.failed, t.failed - c.failed, t.total - c.total - (t.failed - c.failed));
    tested.push({ dimension: c.dimension, value: c.value, failed: c.failed, total: c.total, failureShare, callShare, lift, p });
  }
  const { adjusted } = benjaminiHochberg(tested.map((x) => x.p));
  return tested
    .map((x, i) => ({ ...x, q: adjusted[i], sentence: '' }))
    .filter((x) => x.failed >= minFailures && x.lift >= minLift && x.q <= fdr)
    .map((x) => ({ ...x, sentence: attributionSentence(x) }))
    .sort((a, b) => a.q - b.q || b.failed * b.lift - a.failed * a.lift);
}

/** Buckets input sizes (tokens) on a doubling scale so attribution can say "inputs over 8k tokens". */
export function inputSizeBucket(tokens: number): string {
  if (!Number.isFinite(tokens) || tokens < 0) return 'unknown';
  if (tokens < 1000) return '<1k tokens';
  let hi = 2000;
  while (tokens >= hi && hi < 256_000) hi *= 2;
  return tokens >= hi ? `≥${hi / 1000}k tokens` : `${hi / 2000}k–${hi / 1000}k tokens`;
}
