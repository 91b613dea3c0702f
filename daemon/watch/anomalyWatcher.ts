// The watch loop: every tick, evaluate each active worker × model × prompt group, step the anomaly
// lifecycle (de-duplication, hysteresis, self-resolution), persist what changed and tell listeners.
import type { Anomaly as StoredAnomaly, Severity } from '../../shared/domain';
import type { Anomaly as Detection, Severity as DetectorSeverity } from '../analysis/anomalyDetectors';
import { anomalyKey, emptyLifecycle, stepLifecycle, type LifecycleState, type OpenAnomaly } from '../analysis/anomalyLifecycle';
import { HISTORY_CALLS, evaluateGroup } from '../analysis/groupEvaluation';
import type { DaemonContext } from '../daemonContext';
import { daemonEvents } from '../events';
import { AnomalyStore, type AnomalyUpsert } from '../store/anomalyStore';
import { activeGroups, groupId, recentCallsByGroup, recentGroupQuality } from '../store/watchQueries';

/** Series with no call for this long are not evaluated (their open anomalies neither age nor resolve). */
export const ACTIVE_LOOKBACK_MS = 24 * 3_600_000;
const HISTORY_SCORES = 200;

const SEVERITY: Record<DetectorSeverity, Severity> = { info: 'info', warning: 'warning', critical: 'error' };

export interface TickResult {
  groups: number;
  opened: number;
  updated: number;
  resolved: number;
  durationMs: number;
}

export class AnomalyWatcher {
  private state: LifecycleState;
  private readonly store: AnomalyStore;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly ctx: DaemonContext) {
    this.store = new AnomalyStore(ctx.db);
    this.state = restoreLifecycle(this.store.list({ state: 'open', limit: 10_000 }));
  }

  /** Runs a tick every `intervalMs` (unref'd: it never keeps the process alive). */
  start(intervalMs: number): void {
    this.stop();
    this.timer = setInterval(() => {
      try {
        this.tick(Date.now());
      } catch (error) {
        this.ctx.logger.error('anomaly watch failed', { error: (error as Error).message });
      }
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  tick(now: number): TickResult {
    const started = performance.now();
    const groups = activeGroups(this.ctx.db, now - ACTIVE_LOOKBACK_MS, now + 1);
    const detections: Detection[] = [];
    const evaluated: string[] = [];
    const groupOfSeries = new Map<string, (typeof groups)[number]>();
    const callsByGroup = recentCallsByGroup(this.ctx.db, groups, now + 1, HISTORY_CALLS);
    const scored = new Set(
      (this.ctx.db.prepare('SELECT DISTINCT worker FROM scores WHERE created_at >= ?').all(now - ACTIVE_LOOKBACK_MS) as Array<{ worker: string | null }>).map((r) => r.worker),
    );
    for (const group of groups) {
      const calls = callsByGroup.get(groupId(group)) ?? [];
      // Quality is read only for workers that received scores lately (most groups have none).
      const quality = scored.has(group.worker) ? recentGroupQuality(this.ctx.db, group, now + 1, HISTORY_SCORES) : [];
      const result = evaluateGroup(group, calls, quality);
      detections.push(...result.detections);
      evaluated.push(...result.evaluatedSeries);
      for (const series of result.evaluatedSeries) groupOfSeries.set(series, group);
    }
    const { state, events } = stepLifecycle(this.state, detections, evaluated, now);
    this.state = state;
    const counts = { opened: 0, updated: 0, resolved: 0 };
    const changed: string[] = [];
    for (const event of events) {
      const group = groupOfSeries.get(event.anomaly.seriesKey);
      const row = toUpsert(event.anomaly, group ?? null);
      if (event.type === 'opened') {
        this.store.open(row, now);
        counts.opened++;
      } else if (event.type === 'updated') {
        this.store.update(row, now, true);
        counts.updated++;
      } else {
        this.store.resolve(event.anomaly.id, event.resolvedAt);
        counts.resolved++;
      }
      changed.push(event.anomaly.id);
    }
    // Still-firing anomalies without a state change get their evidence refreshed quietly.
    for (const open of Object.values(this.state.open)) {
      if (open.lastSeenAt === now && !changed.includes(open.id)) this.store.update(toUpsert(open, groupOfSeries.get(open.seriesKey) ?? null), now, false);
    }
    if (changed.length > 0) {
      daemonEvents(this.ctx).emit('anomaliesChanged', { anomalyIds: changed });
      this.ctx.logger.info('anomalies changed', counts);
    }
    return { groups: groups.length, ...counts, durationMs: performance.now() - started };
  }
}

function restoreLifecycle(open: StoredAnomaly[]): LifecycleState {
  const state = emptyLifecycle();
  for (const anomaly of open) {
    const severity: DetectorSeverity = anomaly.severity === 'error' ? 'critical' : anomaly.severity;
    const restored: OpenAnomaly = {
      id: anomaly.id,
      kind: anomaly.kind,
      severity,
      peakSeverity: severity,
      seriesKey: anomaly.series,
      metric: anomaly.metric,
      beganAt: anomaly.beganAt,
      lastSeenAt: anomaly.lastSeenAt,
      cleanStreak: 0,
      evidence: {
        baseline: anomaly.baseline ?? NaN,
        current: anomaly.current ?? NaN,
        statistic: anomaly.score ?? NaN,
      },
      cause: anomaly.suspectedCause ?? '',
    };
    state.open[anomalyKey(restored)] = restored;
  }
  return state;
}

function toUpsert(anomaly: OpenAnomaly, group: { worker: string; model: string; promptVersion: string } | null): AnomalyUpsert {
  return {
    id: anomaly.id,
    kind: anomaly.kind,
    severity: SEVERITY[anomaly.severity],
    series: anomaly.seriesKey,
    metric: anomaly.metric,
    worker: group?.worker ?? null,
    model: group?.model ?? null,
    promptVersion: group?.promptVersion ?? null,
    beganAt: anomaly.beganAt,
    lastSeenAt: anomaly.lastSeenAt,
    baseline: finite(anomaly.evidence.baseline),
    current: finite(anomaly.evidence.current),
    score: finite(anomaly.evidence.statistic),
    title: anomalyTitle(anomaly, group?.worker ?? null),
    evidence: { ...anomaly.evidence, cause: anomaly.cause, peakSeverity: anomaly.peakSeverity },
    suspectedCause: anomaly.cause || null,
  };
}

function finite(x: number | undefined): number | null {
  return x !== undefined && Number.isFinite(x) ? x : null;
}

const METRIC_LABEL: Record<string, string> = {
  latency_ms: 'latency',
  cost_usd: 'cost per call',
  output_tokens: 'output tokens',
  'cost per output token': 'cost per output token',
  'error rate': 'error rate',
  '429 rate': '429 rate',
  'streamed calls without usage': 'streams without usage',
  quality: 'quality',
};

/** One line a user understands: "outline: latency 2.4× its baseline (812 ms vs 340 ms)". */
export function anomalyTitle(anomaly: Pick<OpenAnomaly, 'metric' | 'kind' | 'evidence'>, worker: string | null): string {
  const who = worker ?? 'unknown worker';
  const label = METRIC_LABEL[anomaly.metric] ?? anomaly.metric;
  const { baseline, current } = anomaly.evidence;
  const shape = anomaly.kind === 'sustained_shift' ? 'shifted to' : 'at';
  if (['error rate', '429 rate', 'streamed calls without usage'].includes(anomaly.metric)) {
    return `${who}: ${label} ${percent(current)} (baseline ${percent(baseline)})`;
  }
  if (anomaly.metric === 'quality') return `${who}: quality fell to ${current.toFixed(2)} (baseline ${baseline.toFixed(2)})`;
  const ratio = baseline > 0 ? current / baseline : NaN;
  const value = (x: number) => (anomaly.metric === 'latency_ms' ? `${Math.round(x)} ms` : anomaly.metric.includes('cost') ? `$${x.toPrecision(3)}` : x.toFixed(0));
  return Number.isFinite(ratio)
    ? `${who}: ${label} ${shape} ${ratio.toFixed(1)}× its baseline (${value(current)} vs ${value(baseline)})`
    : `${who}: ${label} ${shape} ${value(current)}`;
}

function percent(x: number): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%` : '?';
}

const watchers = new WeakMap<DaemonContext, AnomalyWatcher>();

/** The anomaly watcher of one running daemon (created on first use). */
export function anomalyWatcherFor(ctx: DaemonContext): AnomalyWatcher {
  let watcher = watchers.get(ctx);
  if (!watcher) {
    watcher = new AnomalyWatcher(ctx);
    watchers.set(ctx, watcher);
  }
  return watcher;
}
