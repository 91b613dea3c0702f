import assert from 'node:assert/strict';
import betaCdf from '@stdlib/stats-base-dists-beta-cdf';
import { emptyLifecycle, stepLifecycle, type LifecycleEvent } from '../../../daemon/analysis/anomalyLifecycle';
import { ERROR_TEST, betaBinomialUpperTail, detectQualityEpisode, detectRateEpisode, scoreBuckets } from '../../../daemon/analysis/bucketEpisodes';
import { gaussian, rng } from './syntheticStreams';

const T0 = 1_700_000_000_000;

/** Calls of a worker, one every 5 s, each failing with probability rate(i). */
function calls(n: number, seed: number, rate: (i: number) => number): Array<{ t: number; failed: boolean }> {
  const u = rng(seed);
  return Array.from({ length: n }, (_, i) => ({ t: T0 + i * 5000, failed: u() < rate(i) }));
}

/** Replays the watch loop: every `step` calls a tick over the last 300 calls, through the lifecycle. */
function replay<T>(items: readonly T[], detect: (window: readonly T[]) => ReturnType<typeof detectRateEpisode>, at: (x: T) => number, step = 10, history = 300): LifecycleEvent[] {
  let state = emptyLifecycle();
  const events: LifecycleEvent[] = [];
  for (let end = step; end <= items.length; end += step) {
    const d = detect(items.slice(Math.max(0, end - history), end));
    const r = stepLifecycle(state, d ? [d] : [], ['s'], at(items[end - 1]));
    state = r.state;
    events.push(...r.events);
  }
  return events;
}

const errorsOf = (window: ReadonlyArray<{ t: number; failed: boolean }>) => detectRateEpisode(window, { seriesKey: 's', metric: 'error rate' });
const openedAndResolved = (events: LifecycleEvent[]) => events.filter((e) => e.type !== 'updated').map((e) => e.type);

/** Quality scores of a scored worker: around 0.85, clipped to [0, 1], optionally rounded to a judge's grid. */
function quality(n: number, seed: number, shift: (i: number) => number = () => 0, grid = 0): Array<{ t: number; value: number }> {
  const g = gaussian(rng(seed));
  return Array.from({ length: n }, (_, i) => {
    let v = Math.min(1, Math.max(0, 0.85 + 0.05 * g() - shift(i)));
    if (grid > 0) v = Math.round(v / grid) * grid;
    return { t: T0 + i * 60_000, value: v };
  });
}

describe('analysis/bucketEpisodes', function () {
  this.timeout(30000);

  it('Beta-binomial upper tail: reduces to the binomial with a sharp prior and matches the Beta CDF identity', () => {
    // BB(n, 1, 1) is uniform on 0..n: P(X ≥ k) = (n − k + 1) / (n + 1).
    assert.ok(Math.abs(betaBinomialUpperTail(3, 10, 1, 1) - 8 / 11) < 1e-12);
    // A very sharp Beta(1e6·p, 1e6·(1−p)) is close to Binomial(10, p): P(X ≥ 3) = I_p(3, 8).
    const p = 0.1;
    const binomial = betaCdf(p, 3, 8);
    assert.ok(Math.abs(betaBinomialUpperTail(3, 10, 1e6 * p, 1e6 * (1 - p)) - binomial) < 1e-4);
    assert.equal(betaBinomialUpperTail(0, 10, 2, 3), 1);
    assert.equal(betaBinomialUpperTail(11, 10, 2, 3), 0);
    // Far tail at full precision: 10 of 10 after 0 of 1,000.
    const far = betaBinomialUpperTail(10, 10, 1, 1001);
    assert.ok(far > 0 && far < 1e-20, String(far));
  });

  it('a single error in few calls does not alarm; nor do two in a row after a clean history', () => {
    const one = [...calls(20, 1, () => 0), { t: T0 + 20 * 5000, failed: true }, ...calls(9, 2, () => 0)];
    assert.equal(errorsOf(one), null);
    assert.ok(scoreBuckets(one.map((c) => (c.failed ? 1 : 0)), 10, 5, ERROR_TEST).scored.every((s) => s.score === 0), 'under the minimum count nothing scores');
    const two = [...calls(280, 3, () => 0), ...[true, true].map((failed, k) => ({ t: T0 + (280 + k) * 5000, failed }))];
    assert.equal(errorsOf(two), null);
  });

  it('an error-rate spike opens one anomaly, stays one event, and closes after', () => {
    const c = calls(1200, 4, (i) => (i >= 600 && i < 700 ? 0.4 : 0.01));
    const events = replay(c, errorsOf, (x) => x.t);
    assert.deepEqual(openedAndResolved(events), ['opened', 'resolved'], JSON.stringify(events.map((e) => e.type)));
    const opened = events[0];
    assert.equal(opened.anomaly.kind, 'error_rate_spike');
    assert.ok(opened.anomaly.beganAt >= c[600].t && opened.anomaly.beganAt <= c[620].t, new Date(opened.anomaly.beganAt).toISOString());
    const resolved = events.find((e) => e.type === 'resolved');
    assert.ok(resolved && resolved.type === 'resolved' && resolved.resolvedAt > c[700].t && resolved.resolvedAt < c[900].t);
  });

  it('a moderate rise (1% → 20% for 250 calls) is found through the longer window', () => {
    let found = 0;
    let opened = 0;
    for (let seed = 5; seed <= 8; seed += 1) {
      const c = calls(900, seed, (i) => (i >= 300 && i < 550 ? 0.2 : 0.01));
      const events = replay(c, errorsOf, (x) => x.t).filter((e) => e.type === 'opened');
      opened += events.length;
      if (events.length > 0 && events[0].anomaly.beganAt >= c[200].t && events[0].anomaly.beganAt < c[550].t) found += 1;
    }
    assert.ok(found >= 3, `${found}/4 rises found`);
    // Known gap (see the closing note): a moderate rise may split in two when a stretch of its
    // buckets happens to hold no errors; at most one such split in four.
    assert.ok(opened <= 5, `${opened} anomalies for 4 rises`);
  });

  it('noise: a steady error rate (0.2%, 5%, 20%) opens at most 2 anomalies in 20,000 calls through the watch loop', () => {
    for (const rate of [0.002, 0.05, 0.2]) {
      let opened = 0;
      for (let seed = 1; seed <= 4; seed += 1) {
        opened += replay(calls(5000, 10 + seed, () => rate), errorsOf, (x) => x.t).filter((e) => e.type === 'opened').length;
      }
      assert.ok(opened <= 2, `rate ${rate}: ${opened} anomalies in 20,000 calls`);
    }
  });

  it('quality: a drop opens once and resolves after recovery; noise and judge-grid scores do not alarm', () => {
    const drop = quality(600, 6, (i) => (i >= 300 && i < 380 ? 0.2 : 0));
    const detect = (w: ReadonlyArray<{ t: number; value: number }>) => detectQualityEpisode(w, 's');
    const events = replay(drop, detect, (x) => x.t, 5, 200);
    assert.deepEqual(openedAndResolved(events), ['opened', 'resolved'], JSON.stringify(events.map((e) => e.type)));
    assert.equal(events[0].anomaly.kind, 'quality_drop');
    assert.ok(events[0].anomaly.evidence.baseline - events[0].anomaly.evidence.current >= 0.1, JSON.stringify(events[0].anomaly.evidence));
    assert.ok(events[0].anomaly.beganAt >= drop[300].t && events[0].anomaly.beganAt <= drop[305].t);

    for (const grid of [0, 0.1]) {
      let opened = 0;
      for (let seed = 1; seed <= 4; seed += 1) {
        opened += replay(quality(1500, 20 + seed, () => 0, grid), detect, (x) => x.t, 5, 200).filter((e) => e.type === 'opened').length;
      }
      assert.ok(opened <= 6, `grid ${grid}: ${opened} anomalies in 6,000 scores`);
    }
    // A drop too small to matter (0.02) is not reported, however sure.
    const small = quality(400, 7, (i) => (i >= 300 ? 0.02 : 0));
    assert.equal(detectQualityEpisode(small, 's'), null);
  });
});
