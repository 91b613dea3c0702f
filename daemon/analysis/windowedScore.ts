// Windowed scoring of a streaming detector against labelled incidents, in the manner of the
// Numenta Anomaly Benchmark (Lavin & Ahmad, 2015; re-implemented from the paper's description):
// each labelled incident becomes a window around it; the earliest alarm inside a window earns
// credit by a scaled sigmoid of its position (more the earlier); later alarms in the same window
// earn nothing; every alarm outside all windows costs; every window without an alarm costs one.
// The total is normalised so that a detector that never alarms scores 0 and one that alarms at
// the start of every window and nowhere else scores 100. Pure functions over arrays.

export interface IncidentWindow {
  /** First and last point index inside the window (inclusive). */
  start: number;
  end: number;
}

export interface WindowedScoreOptions {
  /** Cost of one alarm outside every window (NAB standard profile: 0.11). */
  falsePositiveCost: number;
  /** Cost of a window with no alarm (NAB: 1). */
  missCost: number;
  /** Credit of an alarm at the very start of a window (NAB: 1). */
  truePositiveCredit: number;
}

export const NAB_STANDARD: WindowedScoreOptions = { falsePositiveCost: 0.11, missCost: 1, truePositiveCredit: 1 };

/** Scaled sigmoid of NAB: position y ∈ [−1, 0] inside a window (−1 = its start) → credit ≈ 0.99 … 0. */
export function positionCredit(y: number): number {
  return 2 / (1 + Math.exp(5 * y)) - 1;
}

/**
 * Incident windows from per-point labels: each run of label 1 is widened on both sides so that
 * all windows together cover about 10% of the series (NAB's rule), never less than the run itself;
 * overlapping windows merge.
 */
export function windowsFromLabels(labels: ArrayLike<number>): IncidentWindow[] {
  const runs: IncidentWindow[] = [];
  for (let i = 0; i < labels.length; i += 1) {
    if (labels[i] !== 1) continue;
    const start = i;
    while (i + 1 < labels.length && labels[i + 1] === 1) i += 1;
    runs.push({ start, end: i });
  }
  if (runs.length === 0) return [];
  const target = Math.floor((0.1 * labels.length) / runs.length);
  const widened = runs.map((r) => {
    const len = r.end - r.start + 1;
    const pad = Math.max(0, Math.floor((target - len) / 2));
    return { start: Math.max(0, r.start - pad), end: Math.min(labels.length - 1, r.end + pad) };
  });
  const merged: IncidentWindow[] = [widened[0]];
  for (const w of widened.slice(1)) {
    const last = merged[merged.length - 1];
    if (w.start <= last.end + 1) last.end = Math.max(last.end, w.end);
    else merged.push({ ...w });
  }
  return merged;
}

export interface WindowedScore {
  /** Normalised score: 0 = never alarming, 100 = perfect. */
  score: number;
  raw: number;
  windows: number;
  detectedWindows: number;
  alarms: number;
  falseAlarms: number;
  /** Points outside every window, the denominator of the false-alarm rate. */
  normalPoints: number;
  /** Delay (points) from each detected window's labelled incident start to its earliest alarm; negative = early. */
  delays: number[];
}

/**
 * Scores alarm flags (one per point) against windows. `incidentStarts[k]`, when given, is where
 * the labelled incident inside window k begins, for the detection delay.
 */
export function windowedScore(alarms: ArrayLike<boolean>, windows: readonly IncidentWindow[], o: WindowedScoreOptions = NAB_STANDARD,
  incidentStarts?: readonly number[]): WindowedScore {
  let raw = 0;
  let alarmCount = 0;
  let falseAlarms = 0;
  let detected = 0;
  const delays: number[] = [];
  let w = 0;
  let creditedWindow = -1;
  for (let i = 0; i < alarms.length; i += 1) {
    while (w < windows.length && windows[w].end < i) w += 1;
    if (!alarms[i]) continue;
    alarmCount += 1;
    const inside = w < windows.length && windows[w].start <= i;
    if (!inside) {
      falseAlarms += 1;
      raw -= o.falsePositiveCost;
    } else if (creditedWindow !== w) {
      creditedWindow = w;
      detected += 1;
      const win = windows[w];
      const len = win.end - win.start + 1;
      const y = (i - win.end) / len;
      raw += o.truePositiveCredit * positionCredit(y);
      delays.push(i - (incidentStarts?.[w] ?? win.start));
    }
  }
  raw -= o.missCost * (windows.length - detected);
  let inWindows = 0;
  for (const win of windows) inWindows += win.end - win.start + 1;
  const nullScore = -o.missCost * windows.length;
  const perfect = windows.length * o.truePositiveCredit * positionCredit(-1);
  const score = windows.length === 0 ? (falseAlarms === 0 ? 100 : 0) : (100 * (raw - nullScore)) / (perfect - nullScore);
  return { score, raw, windows: windows.length, detectedWindows: detected, alarms: alarmCount, falseAlarms, normalPoints: alarms.length - inWindows, delays };
}

/** Where the labelled run that a window was built around begins (the first label 1 inside it). */
export function incidentStartsOf(labels: ArrayLike<number>, windows: readonly IncidentWindow[]): number[] {
  return windows.map((win) => {
    for (let i = win.start; i <= win.end; i += 1) if (labels[i] === 1) return i;
    return win.start;
  });
}
