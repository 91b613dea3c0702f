// The feedback learning curve: mean quality per optimization cycle (or per day).
import { useMemo } from 'preact/hooks';
import type { LearningCurve } from '../../../shared/http/dashboard';
import { score } from '../format';
import { Chart, type ChartLine } from './Chart';

const fmtScore = (v: number) => score(v);

export function LearningCurveView({ curve }: { curve: LearningCurve }) {
  const at = useMemo(() => curve.points.map((p) => p.at), [curve]);
  const labels = useMemo(() => curve.points.map((p) => p.label.replace('since last cycle', 'now')), [curve]);
  const lines = useMemo<ChartLine[]>(() => [{ label: 'quality', values: curve.points.map((p) => p.quality), colour: 'purple' }], [curve]);
  const scored = curve.points.filter((p) => p.quality !== null);
  const first = scored[0];
  const last = scored[scored.length - 1];
  return (
    <section aria-labelledby="learning-heading" data-testid="view-learning">
      <h2 id="learning-heading">Feedback learning curve</h2>
      {scored.length === 0 ? (
        <p class="empty">No quality scores yet: the curve appears once outputs are scored or rated.</p>
      ) : (
        <>
          <p>
            Quality per {curve.basis === 'cycle' ? 'optimization cycle' : 'day'}: {score(first?.quality)} ({first?.label}) → {score(last?.quality)} ({last?.label}) over{' '}
            {scored.length} {curve.basis === 'cycle' ? 'cycles' : 'days'}.
          </p>
          <Chart testId="chart-learning" title="Quality" at={at} lines={lines} format={fmtScore} categories={curve.basis === 'cycle' ? labels : undefined} height={140} />
        </>
      )}
    </section>
  );
}
