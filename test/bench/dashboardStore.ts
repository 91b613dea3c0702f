// A store shaped like a month of real use for the dashboard benchmark: synthetic calls (see
// syntheticCalls.ts) with quality scores on a tenth of them, plus the rows the engine writes —
// anomalies, recommendations, experiments with results, the decision log with optimization cycles,
// and proxy cache hits — so every section of GET /v1/dashboard has work to do.
import type Database from 'better-sqlite3';
import { BatchWriter } from '../../daemon/store/batchWriter';
import type { ScoreRecord } from '../../daemon/store/records';
import { createRng } from './random';
import { SYNTHETIC_WORKERS, syntheticCallBatches } from './syntheticCalls';

const DAY_MS = 86_400_000;

export interface DashboardStoreOptions {
  calls: number;
  days: number;
  seed: number;
  /** Calls are spread over [endMs − days, endMs). */
  endMs: number;
  batchSize?: number;
  log?: (line: string) => void;
}

export function fillDashboardStore(db: Database.Database, options: DashboardStoreOptions): { seconds: number } {
  const started = performance.now();
  const writer = new BatchWriter(db, { contentMode: 'full' });
  const rng = createRng(options.seed + 1);
  const startMs = options.endMs - options.days * DAY_MS;
  let written = 0;
  let nextReport = 200_000;
  for (const calls of syntheticCallBatches({ total: options.calls, seed: options.seed, endMs: options.endMs, days: options.days }, options.batchSize ?? 5_000)) {
    // Quality drifts upward over the month, as the feedback loop should make it.
    const scores: ScoreRecord[] = [];
    for (const call of calls) {
      if (call.status !== 'ok' || rng.next() >= 0.1) continue;
      const progress = (call.startedAt - startMs) / (options.endMs - startMs);
      scores.push({ callId: call.id, name: 'quality', value: Math.min(1, Math.max(0, 0.62 + 0.2 * progress + (rng.next() - 0.5) * 0.2)), source: 'evaluator', createdAt: call.startedAt + 1_000 });
    }
    writer.write({ runs: [], steps: [], calls, scores });
    written += calls.length;
    if (written >= nextReport) {
      options.log?.(`  filled ${written.toLocaleString('en')} calls in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      nextReport += 200_000;
    }
  }
  insertEngineRows(db, options, rng.next);
  return { seconds: (performance.now() - started) / 1000 };
}

function insertEngineRows(db: Database.Database, options: DashboardStoreOptions, random: () => number): void {
  const startMs = options.endMs - options.days * DAY_MS;
  const at = (fraction: number) => Math.round(startMs + fraction * (options.endMs - startMs));
  db.transaction(() => {
    const anomaly = db.prepare(
      `INSERT INTO anomalies (id, kind, severity, state, series, metric, worker, model, prompt_version, began_at, last_seen_at, resolved_at, baseline, current, score, title, evidence, suspected_cause)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'gpt-4o', 'v1', ?, ?, ?, ?, ?, ?, ?, '{}', ?)`,
    );
    for (let i = 0; i < 40; i++) {
      const worker = SYNTHETIC_WORKERS[i % SYNTHETIC_WORKERS.length];
      const began = at(random());
      const open = i % 4 === 0;
      anomaly.run(
        `anom_${i}`,
        i % 3 === 0 ? 'error_rate_spike' : 'point_spike',
        i % 5 === 0 ? 'error' : 'warning',
        open ? 'open' : 'resolved',
        `worker=${worker}|model=gpt-4o|prompt=v1|metric=latency_ms`,
        i % 3 === 0 ? 'errors' : 'latency_ms',
        worker,
        began,
        began + 3_600_000,
        open ? null : began + 7_200_000,
        1800,
        4200,
        0.97,
        `${worker} p95 latency 2.3× its baseline`,
        open ? 'gpt-4o responses slowed down' : null,
      );
    }
    const recommendation = db.prepare(
      `INSERT INTO recommendations (id, optimizer, worker, title, state, change, evidence, expected_gain, confidence, edit, experiment_id, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, '{"calls": 4000}', ?, ?, NULL, ?, ?, ?)`,
    );
    const experiment = db.prepare(
      `INSERT INTO experiments (id, recommendation_id, kind, worker, state, control, treatment, result, spent_usd, started_at, ended_at)
       VALUES (?, ?, 'replay', ?, ?, '{"model":"gpt-4o"}', '{"model":"gpt-4o-mini"}', ?, 0.42, ?, ?)`,
    );
    const decision = db.prepare(
      `INSERT INTO decisions (at, actor, action, recommendation_id, experiment_id, worker, summary, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, '{}')`,
    );
    const states = ['open', 'open', 'testing', 'applied', 'dismissed', 'accepted'];
    for (let i = 0; i < 12; i++) {
      const worker = SYNTHETIC_WORKERS[(i * 3) % SYNTHETIC_WORKERS.length];
      const created = at(0.2 + 0.06 * i);
      const state = states[i % states.length];
      const experimentId = i % 2 === 0 ? `exp_${i}` : null;
      recommendation.run(
        `rec_${i}`,
        'model_selection',
        worker,
        `Route ${worker} to gpt-4o-mini`,
        state,
        JSON.stringify({ kind: 'model', from: 'gpt-4o', to: 'gpt-4o-mini' }),
        JSON.stringify({ metric: 'cost', relative: -0.6, description: 'cost per call −60%' }),
        0.93,
        experimentId,
        created,
        created + 60_000,
      );
      if (experimentId) {
        const result = {
          decision: state === 'applied' ? 'ship' : 'continue',
          confidence: 0.95,
          samples: 120,
          metrics: [
            { metric: 'cost', role: 'primary', control: 0.004, treatment: 0.0016, relative: -0.6, ci: [-0.66, -0.54], p: 0.001 },
            { metric: 'quality', role: 'guardrail', control: 0.81, treatment: 0.8, relative: -0.012, ci: [-0.04, 0.016], p: 0.4 },
          ],
        };
        experiment.run(experimentId, `rec_${i}`, worker, state === 'applied' ? 'shipped' : 'running', JSON.stringify(result), created, state === 'applied' ? created + 3_600_000 : null);
      }
      if (state === 'applied') decision.run(created + 3_600_000, 'flowtune', 'apply', `rec_${i}`, experimentId, worker, `Applied: route ${worker} to gpt-4o-mini`);
    }
    for (let cycle = 1; cycle <= 30; cycle++) decision.run(at(cycle / 30) - 1, 'flowtune', 'cycle', null, null, null, `Optimization cycle ${cycle}`);
    const hit = db.prepare('INSERT INTO proxy_cache_hits (call_id, worker, cache_key, source_call_id, saved_usd, saved_ms, at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (let i = 0; i < 5_000; i++) hit.run(`hit_${i}`, SYNTHETIC_WORKERS[i % SYNTHETIC_WORKERS.length], `k${i}`, `src_${i}`, 0.002, 900, at(0.5 + (0.5 * i) / 5_000));
  })();
}
