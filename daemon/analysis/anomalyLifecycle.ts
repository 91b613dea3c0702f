// Anomaly lifecycle as a pure state machine: open → (still firing: updated) → resolved after the
// series has been clean for `clearAfter` consecutive evaluations (hysteresis). One open anomaly
// per (kind, series): repeats update it instead of opening duplicates.
import type { Anomaly, Severity } from './anomalyDetectors';

export interface OpenAnomaly extends Anomaly {
  id: string;
  lastSeenAt: number;
  /** Consecutive evaluations of this series without the anomaly. */
  cleanStreak: number;
  peakSeverity: Severity;
}

export interface LifecycleState {
  open: Record<string, OpenAnomaly>;
}

export type LifecycleEvent =
  | { type: 'opened'; anomaly: OpenAnomaly }
  | { type: 'updated'; anomaly: OpenAnomaly }
  | { type: 'resolved'; anomaly: OpenAnomaly; resolvedAt: number };

export interface LifecycleOptions { clearAfter?: number }

export const emptyLifecycle = (): LifecycleState => ({ open: {} });

/** Spikes and shifts of one series are one incident: an episode that grows from a spike into a shift stays one event. */
const FAMILY: Partial<Record<Anomaly['kind'], string>> = { point_spike: 'level', sustained_shift: 'level' };

export const anomalyKey = (a: Pick<Anomaly, 'kind' | 'seriesKey'>) => `${FAMILY[a.kind] ?? a.kind}|${a.seriesKey}`;

const rank: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/**
 * One evaluation tick. `evaluatedSeries` lists the series checked this tick: an open anomaly on a
 * series that was not evaluated (no data) neither resolves nor ages, so gaps do not close incidents.
 */
export function stepLifecycle(state: LifecycleState, detections: readonly Anomaly[], evaluatedSeries: readonly string[], now: number,
  o: LifecycleOptions = {}): { state: LifecycleState; events: LifecycleEvent[] } {
  const clearAfter = o.clearAfter ?? 3;
  const open: Record<string, OpenAnomaly> = { ...state.open };
  const events: LifecycleEvent[] = [];
  const seen = new Set<string>();
  for (const d of detections) {
    const key = anomalyKey(d);
    if (seen.has(key)) continue;
    seen.add(key);
    const prev = open[key];
    if (!prev) {
      const created: OpenAnomaly = { ...d, id: `${key}|${d.beganAt}`, lastSeenAt: now, cleanStreak: 0, peakSeverity: d.severity };
      open[key] = created;
      events.push({ type: 'opened', anomaly: created });
    } else {
      const updated: OpenAnomaly = {
        ...prev, kind: d.kind, evidence: d.evidence, cause: d.cause, severity: d.severity, lastSeenAt: now, cleanStreak: 0,
        peakSeverity: rank[d.severity] > rank[prev.peakSeverity] ? d.severity : prev.peakSeverity,
      };
      open[key] = updated;
      if (updated.severity !== prev.severity || updated.kind !== prev.kind || prev.cleanStreak > 0) events.push({ type: 'updated', anomaly: updated });
    }
  }
  const evaluated = new Set(evaluatedSeries);
  for (const [key, a] of Object.entries(open)) {
    if (seen.has(key) || !evaluated.has(a.seriesKey)) continue;
    const aged: OpenAnomaly = { ...a, cleanStreak: a.cleanStreak + 1 };
    if (aged.cleanStreak >= clearAfter) {
      delete open[key];
      events.push({ type: 'resolved', anomaly: aged, resolvedAt: now });
    } else open[key] = aged;
  }
  return { state: { open }, events };
}
