// Seeded synthetic metric streams with labelled injected anomalies, and the event-level scoring
// used to evaluate the stream scorer (precision, recall, time to detect, false alarms / 1000).

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function gaussian(u: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

function poisson(u: () => number, lambda: number): number {
  if (lambda > 50) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * gaussian(u)()));
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do { k += 1; p *= u(); } while (p > l);
  return k - 1;
}

export interface Incident { start: number; end: number; kind: string }

export interface LabelledStream {
  name: string;
  values: number[];
  timestamps: number[];
  incidents: Incident[];
}

const STEP_MS = 300_000;
const T0 = Date.UTC(2024, 0, 1);

export type AnomalyKind = 'spike' | 'dip' | 'levelShift' | 'trendChange' | 'varianceChange' | 'seasonalBreak';
export type BaseKind = 'gaussian' | 'lognormal' | 'seasonal' | 'poisson' | 'ar1' | 'flatCpu';

/** Base process generator: returns value at t from a noise draw, plus its noise scale. */
function base(kind: BaseKind, seed: number): { at: (t: number, noise: number, u: () => number) => number; sigma: number } {
  const u = rng(seed * 7 + 1);
  const level = 20 + 80 * u();
  switch (kind) {
    case 'gaussian': return { at: (_t, e) => level + 2 * e, sigma: 2 };
    case 'lognormal': return { at: (_t, e) => 200 * Math.exp(0.35 * e), sigma: 0.35 };
    case 'seasonal': return { at: (t, e) => level + 15 * Math.sin((2 * Math.PI * t) / 288) + 5 * Math.sin((4 * Math.PI * t) / 288) + 1.5 * e, sigma: 1.5 };
    case 'poisson': return { at: (t, _e, uu) => poisson(uu, 30 + 10 * Math.sin((2 * Math.PI * t) / 288)), sigma: Math.sqrt(30) };
    case 'flatCpu': return { at: (_t, e) => Math.round((2 + 0.15 * e) * 10) / 10, sigma: 0.15 };
    case 'ar1': {
      let x = 0;
      return { at: (_t, e) => { x = 0.8 * x + 0.6 * e; return level + 3 * x; }, sigma: 3 };
    }
  }
}

/** A stream with `count` anomalies of one kind, spaced out after a 15% probation. */
export function makeStream(baseKind: BaseKind, anomaly: AnomalyKind | null, seed: number, length = 4000, count = 3): LabelledStream {
  const u = rng(seed);
  const g = gaussian(u);
  const b = base(baseKind, seed);
  const incidents: Incident[] = [];
  if (anomaly) {
    const persistent = anomaly === 'levelShift' || anomaly === 'trendChange' || anomaly === 'varianceChange';
    const n = persistent ? 1 : count;
    const probation = Math.floor(length * 0.15);
    const span = (length - probation) / n;
    for (let k = 0; k < n; k += 1) {
      const start = Math.floor(probation + span * k + span * (0.3 + 0.4 * u()));
      const duration = anomaly === 'spike' || anomaly === 'dip' ? 1 + Math.floor(u() * 3) : persistent ? length - start : 12;
      incidents.push({ start, end: Math.min(length, start + duration), kind: anomaly });
    }
  }
  const values: number[] = [];
  const timestamps: number[] = [];
  const isLog = baseKind === 'lognormal';
  for (let t = 0; t < length; t += 1) {
    const e = g();
    let v = b.at(t, e, u);
    for (const inc of incidents) {
      if (t < inc.start || t >= inc.end) continue;
      const s = b.sigma;
      const sign = inc.kind === 'dip' ? -1 : 1;
      switch (inc.kind) {
        case 'spike': case 'dip': v = isLog ? v * Math.exp(sign * 8 * s) : v + sign * 8 * s; break;
        case 'levelShift': v = isLog ? v * Math.exp(4 * s) : v + 4 * s; break;
        case 'trendChange': v = isLog ? v * Math.exp(0.05 * s * (t - inc.start)) : v + 0.05 * s * (t - inc.start); break;
        case 'varianceChange': v = isLog ? v * Math.exp(3 * s * e) : v + 3 * s * e; break;
        case 'seasonalBreak': v = isLog ? v : v - 6 * s - 0.8 * (v - 60); break;
      }
    }
    values.push(v);
    timestamps.push(T0 + t * STEP_MS);
  }
  return { name: `${baseKind}/${anomaly ?? 'null'}/${seed}`, values, timestamps, incidents };
}

export interface StreamEvaluation {
  incidents: number;
  detected: number;
  delays: number[];
  /** Alert events (rising edges of score ≥ threshold). */
  alerts: number;
  falseAlerts: number;
  points: number;
}

/**
 * An incident counts as detected if an alert rises in [start, start + horizon). Alerts rising
 * outside [start, end + tail) of every incident are false. The first 15% (probation) is excluded.
 */
export function evaluate(s: LabelledStream, scores: readonly number[], threshold = 0.5, horizon = 60, tail = 60): StreamEvaluation {
  const probation = Math.floor(s.values.length * 0.15);
  const edges: number[] = [];
  for (let i = probation; i < scores.length; i += 1) {
    if (scores[i] >= threshold && (i === 0 || scores[i - 1] < threshold)) edges.push(i);
  }
  let detected = 0;
  const delays: number[] = [];
  for (const inc of s.incidents) {
    const hit = edges.find((i) => i >= inc.start && i < inc.start + horizon);
    if (hit !== undefined) { detected += 1; delays.push(hit - inc.start); }
  }
  const falseAlerts = edges.filter((i) => !s.incidents.some((inc) => i >= inc.start && i < Math.max(inc.end, inc.start + horizon) + tail)).length;
  return { incidents: s.incidents.length, detected, delays, alerts: edges.length, falseAlerts, points: scores.length - probation };
}
