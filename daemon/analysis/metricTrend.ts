// Turns an hourly series into a MetricTrend: the OLS slope per hour with its CI over the current
// window, and the change of the hourly mean against the previous window of the same length.
import type { MetricTrend } from '../../shared/domain';
import { changeVsPrevious, olsSlope } from './trend';

const HOUR_MS = 3_600_000;

export interface TimedValue {
  at: number;
  value: number | null;
}

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

export function metricTrend(points: readonly TimedValue[], window: { since: number; until: number }): MetricTrend {
  const length = window.until - window.since;
  const current = points.filter((p) => p.at >= window.since && p.at < window.until && p.value !== null && Number.isFinite(p.value));
  const previous = points.filter((p) => p.at >= window.since - length && p.at < window.since && p.value !== null && Number.isFinite(p.value));
  const slope = olsSlope(
    current.map((p) => (p.at - window.since) / HOUR_MS),
    current.map((p) => p.value as number),
  );
  const change = changeVsPrevious(
    previous.map((p) => p.value as number),
    current.map((p) => p.value as number),
  );
  return {
    slopePerHour: finiteOrNull(slope.slope),
    slopeLow: finiteOrNull(slope.low),
    slopeHigh: finiteOrNull(slope.high),
    changeVsPrevious: finiteOrNull(change.relativeChange),
    changeLow: finiteOrNull(change.relativeLow),
    changeHigh: finiteOrNull(change.relativeHigh),
    changeP: finiteOrNull(change.p),
  };
}
