// Parallelising independent steps: two workers that, run after run, execute one after the other
// although neither depends on the other (per `depends_on` in flowtune.config.json) could run at
// the same time, saving the shorter one's duration from the critical path. Only a code change can
// do this, so it is always a recommendation with its evidence.
import { changeKey, wilsonLower, type Measurements, type Optimizer, type Proposal, type RunTrace } from '../optimizer';

const MIN_RUNS = 10;
const MIN_SEQUENTIAL_SHARE = 0.8;

interface Interval {
  startedAt: number;
  endedAt: number;
}

/** First execution of each worker in a run (a worker called several times spans all its calls). */
function workerIntervals(trace: RunTrace): Map<string, Interval> {
  const out = new Map<string, Interval>();
  for (const span of trace.spans) {
    const current = out.get(span.worker);
    if (!current) out.set(span.worker, { startedAt: span.startedAt, endedAt: span.endedAt });
    else out.set(span.worker, { startedAt: Math.min(current.startedAt, span.startedAt), endedAt: Math.max(current.endedAt, span.endedAt) });
  }
  return out;
}

function dependsOn(m: Measurements, worker: string, other: string, seen = new Set<string>()): boolean {
  if (seen.has(worker)) return false;
  seen.add(worker);
  const deps = m.config.workers.find((w) => w.name === worker)?.depends_on ?? [];
  return deps.includes(other) || deps.some((dep) => dependsOn(m, dep, other, seen));
}

export interface SiblingPairEvidence {
  first: string;
  second: string;
  runs: number;
  sequentialRuns: number;
  /** Mean of min(duration first, duration second) over sequential runs: the critical-path saving. */
  meanSavingMs: number;
  meanRunMs: number;
}

export function sequentialPairs(traces: readonly RunTrace[]): SiblingPairEvidence[] {
  const pairs = new Map<string, { first: string; second: string; runs: number; sequential: number; saving: number; runMs: number }>();
  for (const trace of traces) {
    const intervals = workerIntervals(trace);
    const names = [...intervals.keys()].sort();
    const runStart = Math.min(...trace.spans.map((s) => s.startedAt));
    const runEnd = Math.max(...trace.spans.map((s) => s.endedAt));
    for (let i = 0; i < names.length; i++) {
      for (let j = i + 1; j < names.length; j++) {
        const a = intervals.get(names[i]) as Interval;
        const b = intervals.get(names[j]) as Interval;
        const [first, second, x, y] = a.startedAt <= b.startedAt ? [names[i], names[j], a, b] : [names[j], names[i], b, a];
        const key = `${names[i]}\u0000${names[j]}`;
        const entry = pairs.get(key) ?? { first, second, runs: 0, sequential: 0, saving: 0, runMs: 0 };
        entry.runs++;
        if (y.startedAt >= x.endedAt) {
          entry.sequential++;
          entry.saving += Math.min(x.endedAt - x.startedAt, y.endedAt - y.startedAt);
          entry.runMs += runEnd - runStart;
          entry.first = first;
          entry.second = second;
        }
        pairs.set(key, entry);
      }
    }
  }
  return [...pairs.values()].map((p) => ({
    first: p.first,
    second: p.second,
    runs: p.runs,
    sequentialRuns: p.sequential,
    meanSavingMs: p.sequential > 0 ? p.saving / p.sequential : 0,
    meanRunMs: p.sequential > 0 ? p.runMs / p.sequential : 0,
  }));
}

export const parallelizeOptimizer: Optimizer = {
  name: 'parallelize',
  propose(m) {
    const declared = new Set(m.config.workers.map((w) => w.name));
    const proposals: Proposal[] = [];
    for (const pair of sequentialPairs(m.traces)) {
      // Without both workers declared, a data dependency cannot be ruled out.
      if (!declared.has(pair.first) || !declared.has(pair.second)) continue;
      if (dependsOn(m, pair.second, pair.first) || dependsOn(m, pair.first, pair.second)) continue;
      if (pair.runs < MIN_RUNS || pair.sequentialRuns / pair.runs < MIN_SEQUENTIAL_SHARE || pair.meanSavingMs <= 0) continue;
      const change = { kind: 'parallelize' as const, to: [pair.first, pair.second] };
      if (m.triedKeys.has(changeKey(pair.second, change))) continue;
      const relative = pair.meanRunMs > 0 ? -pair.meanSavingMs / pair.meanRunMs : 0;
      proposals.push({
        optimizer: 'parallelize',
        worker: pair.second,
        title: `run ${pair.first} and ${pair.second} in parallel (neither depends on the other; saves ≈${pair.meanSavingMs.toFixed(0)} ms per run)`,
        change,
        evidence: {
          runs_with_both: pair.runs,
          sequential_runs: pair.sequentialRuns,
          mean_critical_path_saving_ms: pair.meanSavingMs,
          mean_run_ms: pair.meanRunMs,
          depends_on: { [pair.first]: m.config.workers.find((w) => w.name === pair.first)?.depends_on ?? [], [pair.second]: m.config.workers.find((w) => w.name === pair.second)?.depends_on ?? [] },
        },
        expectedGain: { metric: 'latencyMs', relative, description: `the shorter of the two (mean ${pair.meanSavingMs.toFixed(0)} ms) leaves the critical path` },
        confidence: wilsonLower(pair.sequentialRuns, pair.runs),
        test: { method: 'none', primaryMetric: 'latencyMs' },
        apply: {
          edit: {
            kind: 'code',
            comment: `flowtune: ${pair.first} and ${pair.second} have no data dependency (depends_on) but run one after the other in ${pair.sequentialRuns}/${pair.runs} runs; start them together (e.g. Promise.all / asyncio.gather) to save ≈${pair.meanSavingMs.toFixed(0)} ms per run`,
          },
        },
      });
    }
    return proposals;
  },
};
