// What feedback says about outputs: mean quality (user ratings, app scores, evaluator scores) by
// output features — length bucket, JSON or not, structured (headings, lists) or prose — and by
// variant, with a 95% interval, so a pattern is only called one when the intervals separate.
import type Database from 'better-sqlite3';

export interface ScoredOutput {
  output: string;
  variant: string | null;
  quality: number;
}

export interface PatternGroup {
  feature: 'length' | 'format' | 'structure' | 'variant';
  value: string;
  n: number;
  mean: number;
  ci: [number, number];
}

export function lengthBucket(text: string): string {
  const n = text.length;
  if (n < 200) return '<200 chars';
  if (n < 800) return '200-799 chars';
  if (n < 2000) return '800-1999 chars';
  return '≥2000 chars';
}

export function isJsonText(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text.trim());
    return typeof parsed === 'object' && parsed !== null;
  } catch {
    return false;
  }
}

export function structureOf(text: string): string {
  if (/^\s*(#{1,6}\s|[-*]\s|\d+\.\s)/m.test(text)) return 'structured (headings/lists)';
  return 'prose';
}

export function feedbackPatterns(outputs: readonly ScoredOutput[]): PatternGroup[] {
  const groups = new Map<string, { feature: PatternGroup['feature']; value: string; values: number[] }>();
  const add = (feature: PatternGroup['feature'], value: string, q: number) => {
    const key = `${feature}\u0000${value}`;
    const g = groups.get(key) ?? { feature, value, values: [] };
    g.values.push(q);
    groups.set(key, g);
  };
  for (const o of outputs) {
    add('length', lengthBucket(o.output), o.quality);
    add('format', isJsonText(o.output) ? 'json' : 'text', o.quality);
    add('structure', structureOf(o.output), o.quality);
    add('variant', o.variant ?? 'app prompt', o.quality);
  }
  return [...groups.values()]
    .map((g) => {
      const n = g.values.length;
      const mean = g.values.reduce((s, v) => s + v, 0) / n;
      const variance = n > 1 ? g.values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1) : 0;
      const half = 1.959964 * Math.sqrt(variance / n);
      return { feature: g.feature, value: g.value, n, mean, ci: [mean - half, mean + half] as [number, number] };
    })
    .sort((a, b) => a.feature.localeCompare(b.feature) || b.mean - a.mean);
}

/** Scored outputs of a worker (or every worker) since a time: mean score per call. */
export function scoredOutputs(db: Database.Database, since: number, worker?: string): ScoredOutput[] {
  return (
    db
      .prepare(
        `SELECT c.output_text AS output, c.variant AS variant, AVG(s.value) AS quality FROM scores s JOIN calls c ON c.id = s.call_id
         WHERE c.started_at >= ? AND (? IS NULL OR c.worker = ?) AND s.value IS NOT NULL AND c.output_text IS NOT NULL GROUP BY c.id`,
      )
      .all(since, worker ?? null, worker ?? null) as ScoredOutput[]
  );
}
