// Builds the GET /v1/dashboard payload in three tiers so a big store still answers fast:
// - every request: overview and series from the incremental rollup cells, and the capped lists;
// - the workers table (computeWorkerMetrics) is reused for WORKERS_TTL_MS;
// - the evolution report, savings and learning curve are reused for SLOW_TTL_MS unless the
//   decision log moved.
// An expired tier is served once more and rebuilt right after the response (stale-while-
// revalidate); only a tier never built is built inside the request.
import type Database from 'better-sqlite3';
import type { Dashboard, DashboardReport, DashboardWorker, LearningCurve, SeriesMarker } from '../../shared/http/dashboard';
import { evolutionReport } from '../optimize/report/evolutionReport';
import { HOUR_MS, hourBucket } from '../store/rollupKey';
import { computeWorkerMetrics } from '../watch/workerMetrics';
import { dashboardAnomalies, dashboardDecisions, dashboardExperiments, readRecommendations } from './engineSections';
import { learningCurve } from './learningCurve';
import { overviewOf, savingsToDate, type Savings } from './overview';
import { rollupCellsFor } from './rollupCells';
import { round, workerSeries } from './workerSeries';

export const WORKERS_TTL_MS = 15_000;
export const SLOW_TTL_MS = 5 * 60_000;

interface Tier<T> {
  value: T;
  /** When the build finished, and how long it took: a tier is rebuilt no sooner than 10× its cost, so rebuilding stays under ~10% of a core. */
  builtAt: number;
  costMs: number;
  /** What the tier was built from; a different key means it is out of date at once. */
  key: string;
  rebuilding: boolean;
}

interface SlowTier {
  report: DashboardReport;
  savings: Savings;
  learningCurve: LearningCurve;
}

type WorkerRow = Omit<DashboardWorker, 'models' | 'openAnomalies'>;

export class DashboardBuilder {
  private readonly workerTiers = new Map<number, Tier<WorkerRow[]>>();
  private slowTier: Tier<SlowTier> | null = null;

  constructor(
    private readonly db: Database.Database,
    private readonly schedule: (task: () => void) => void = (task) => setImmediate(task),
  ) {}

  build(windowHours: number, now = Date.now()): Dashboard {
    const started = performance.now();
    const until = now + 1;
    const span = windowHours * HOUR_MS;
    const since = until - span;
    const baselineSince = since - span;
    const bucketMs = windowHours <= 168 ? HOUR_MS : 6 * HOUR_MS;

    const cells = rollupCellsFor(this.db).cells(baselineSince, until, now);
    const recommendations = readRecommendations(this.db);
    const anomalies = dashboardAnomalies(this.db);
    const decisions = dashboardDecisions(this.db);
    const slow = this.slow(() => {
      const applied = readRecommendations(this.db).applied;
      return { report: reportSection(this.db, now), savings: savingsToDate(this.db, applied), learningCurve: learningCurve(this.db, now) };
    });
    const workerRows = this.workers(windowHours, () => workerRowsOf(this.db, since, until));

    const openByWorker = new Map<string, number>();
    for (const a of anomalies) if (a.state === 'open' && a.worker) openByWorker.set(a.worker, (openByWorker.get(a.worker) ?? 0) + 1);
    const modelsByWorker = new Map<string, Set<string>>();
    for (const c of cells) {
      if (c.hour < hourBucket(since)) continue;
      const set = modelsByWorker.get(c.worker) ?? new Set<string>();
      for (const m of c.models) set.add(m);
      modelsByWorker.set(c.worker, set);
    }

    const payload: Dashboard = {
      generatedAt: now,
      computeMs: 0,
      window: { hours: windowHours, since, until, baselineSince, bucketMs },
      overview: overviewOf(cells, since, slow.savings),
      series: workerSeries(cells, { since, until, bucketMs }, markersOf(this.db, anomalies, since, until)),
      workers: workerRows.map((w) => ({ ...w, models: [...(modelsByWorker.get(w.worker) ?? [])].sort(), openAnomalies: openByWorker.get(w.worker) ?? 0 })),
      anomalies,
      recommendations: recommendations.list,
      experiments: dashboardExperiments(this.db),
      decisions,
      learningCurve: slow.learningCurve,
      report: slow.report,
    };
    payload.computeMs = round(performance.now() - started, 2);
    return payload;
  }

  private workers(windowHours: number, compute: () => WorkerRow[]): WorkerRow[] {
    const tier = this.workerTiers.get(windowHours);
    if (!tier) {
      const fresh = buildTier(compute, '');
      this.workerTiers.set(windowHours, fresh);
      return fresh.value;
    }
    if (isDue(tier, WORKERS_TTL_MS)) this.revalidate(tier, '', compute);
    return tier.value;
  }

  private slow(compute: () => SlowTier): SlowTier {
    const key = decisionLogKey(this.db);
    if (!this.slowTier) {
      this.slowTier = buildTier(compute, key);
      return this.slowTier.value;
    }
    // A new decision (applied change, human action) is worth showing soon, still within the cost bound.
    if (isDue(this.slowTier, SLOW_TTL_MS) || (this.slowTier.key !== key && isDue(this.slowTier, 0))) this.revalidate(this.slowTier, key, compute);
    return this.slowTier.value;
  }

  private revalidate<T>(tier: Tier<T>, key: string, compute: () => T): void {
    if (tier.rebuilding) return;
    tier.rebuilding = true;
    this.schedule(() => {
      try {
        Object.assign(tier, buildTier(compute, key));
      } finally {
        tier.rebuilding = false;
      }
    });
  }
}

function buildTier<T>(compute: () => T, key: string): Tier<T> {
  const started = performance.now();
  const value = compute();
  return { value, builtAt: Date.now(), costMs: performance.now() - started, key, rebuilding: false };
}

function isDue(tier: Tier<unknown>, ttlMs: number): boolean {
  return Date.now() - tier.builtAt > Math.max(ttlMs, 10 * tier.costMs);
}

function decisionLogKey(db: Database.Database): string {
  const row = db.prepare('SELECT COALESCE(MAX(id), 0) AS id, COUNT(*) AS n FROM decisions').get() as { id: number; n: number };
  return `${row.id}:${row.n}`;
}

function workerRowsOf(db: Database.Database, since: number, until: number): WorkerRow[] {
  return computeWorkerMetrics(db, { since, until }, 'worker').map((m) => ({
    worker: m.worker,
    calls: m.calls,
    runs: m.runs,
    errorRate: round(m.errorRate, 5),
    latencyP50Ms: m.latencyP50Ms === null ? null : round(m.latencyP50Ms, 1),
    latencyP95Ms: m.latencyP95Ms === null ? null : round(m.latencyP95Ms, 1),
    quantileMethod: m.quantileMethod,
    costUsd: round(m.costUsd, 6),
    costPerCall: round(m.costPerCall, 8),
    costPerRun: m.costPerRun === null ? null : round(m.costPerRun, 8),
    quality: m.quality === null ? null : round(m.quality, 4),
    qualityCount: m.qualityCount,
    cacheHitRate: round(m.cacheHitRate, 4),
    latencyChange: m.trends.latencyMs.changeVsPrevious,
    costPerCallChange: m.trends.costPerCall.changeVsPrevious,
  }));
}

const MARKER_ACTIONS: Record<string, SeriesMarker['kind']> = {
  apply: 'optimization',
  bandit_update: 'optimization',
  rollback: 'rollback',
  bandit_rollback: 'rollback',
};

/** Anomalies that began and optimizations applied or rolled back in the window, per worker (null: all workers). */
function markersOf(db: Database.Database, anomalies: Dashboard['anomalies'], since: number, until: number): Map<string | null, SeriesMarker[]> {
  const markers = new Map<string | null, SeriesMarker[]>();
  const add = (worker: string | null, marker: SeriesMarker) => {
    const list = markers.get(worker) ?? [];
    if (list.length < 200) list.push(marker);
    markers.set(worker, list);
  };
  for (const a of anomalies) if (a.beganAt >= since && a.beganAt < until) add(a.worker, { at: a.beganAt, kind: 'anomaly', severity: a.severity, label: a.title });
  const rows = db
    .prepare(`SELECT at, action, worker, summary FROM decisions WHERE at >= ? AND at < ? AND action IN (${Object.keys(MARKER_ACTIONS).map(() => '?').join(', ')}) ORDER BY at LIMIT 2000`)
    .all(since, until, ...Object.keys(MARKER_ACTIONS)) as Array<{ at: number; action: string; worker: string | null; summary: string }>;
  for (const d of rows) add(d.worker, { at: d.at, kind: MARKER_ACTIONS[d.action], severity: null, label: d.summary.slice(0, 300) });
  return markers;
}

function reportSection(db: Database.Database, now: number): DashboardReport {
  let report: ReturnType<typeof evolutionReport>;
  try {
    report = evolutionReport(db, now);
  } catch (error) {
    return { available: false, reason: `the evolution report could not be computed: ${(error as Error).message}` };
  }
  if (report.details.runs === 0) return { available: false, reason: 'No report yet: no runs recorded.' };
  const e = report.system_evolution;
  return {
    available: true,
    generatedAt: report.details.generated_at,
    initial: e.initial_performance,
    current: e.current_performance,
    improvements: e.improvements_applied.slice(0, 50),
    autonomousDecisions: e.autonomous_decisions,
    humanInterventions: e.human_interventions,
    learningCycles: e.learning_cycles,
    costSavings: e.cost_savings,
  };
}
