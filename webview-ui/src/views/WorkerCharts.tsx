// Per-worker time series: latency p50/p95, cost, quality and error rate for the chosen worker, with
// markers for anomalies and applied optimizations (also listed as text under the charts).
import { useMemo } from 'preact/hooks';
import type { WorkerSeries } from '../../../shared/http/dashboard';
import { ms, pct, score, time, usd } from '../format';
import { Chart, type ChartLine } from './Chart';

const fmtMs = (v: number) => ms(v);
const fmtUsd = (v: number) => usd(v);
const fmtScore = (v: number) => score(v);
const fmtPct = (v: number) => pct(v, 1);

interface Props {
  series: WorkerSeries[];
  worker: string | null;
  onWorker: (worker: string) => void;
}

export function WorkerCharts({ series, worker, onWorker }: Props) {
  const selected = series.find((s) => s.worker === worker) ?? series[0];
  const lines = useMemo(() => {
    if (!selected) return null;
    const latency: ChartLine[] = [
      { label: 'p50', values: selected.latencyP50Ms, colour: 'blue' },
      { label: 'p95', values: selected.latencyP95Ms, colour: 'orange', dashed: true },
    ];
    return {
      latency,
      cost: [{ label: 'cost', values: selected.costUsd, colour: 'green' }] as ChartLine[],
      quality: [{ label: 'quality', values: selected.quality, colour: 'purple' }] as ChartLine[],
      errors: [{ label: 'error rate', values: selected.errorRate, colour: 'red' }] as ChartLine[],
    };
  }, [selected]);

  return (
    <section aria-labelledby="series-heading" data-testid="view-series">
      <div class="section-head">
        <h2 id="series-heading">Worker time series</h2>
        {series.length > 0 && (
          <label class="inline-field">
            Worker{' '}
            <select value={selected?.worker} onChange={(e) => onWorker((e.currentTarget as HTMLSelectElement).value)} aria-label="Worker to chart">
              {series.map((s) => (
                <option key={s.worker} value={s.worker}>
                  {s.worker}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      {!selected || !lines ? (
        <p class="empty">No calls in this window.</p>
      ) : (
        <>
          <div class="charts">
            <Chart testId="chart-latency" title={`${selected.worker} · latency p50 / p95`} at={selected.at} lines={lines.latency} markers={selected.markers} format={fmtMs} />
            <Chart testId="chart-cost" title={`${selected.worker} · cost`} at={selected.at} lines={lines.cost} markers={selected.markers} format={fmtUsd} />
            <Chart testId="chart-quality" title={`${selected.worker} · quality`} at={selected.at} lines={lines.quality} markers={selected.markers} format={fmtScore} />
            <Chart testId="chart-errors" title={`${selected.worker} · error rate`} at={selected.at} lines={lines.errors} markers={selected.markers} format={fmtPct} />
          </div>
          <p class="legend-note">
            <span class="swatch anomaly" aria-hidden="true" /> anomaly began <span class="swatch optimization" aria-hidden="true" /> optimization applied{' '}
            <span class="swatch rollback" aria-hidden="true" /> rolled back
          </p>
          {selected.markers.length > 0 && (
            <details>
              <summary>{selected.markers.length} markers on these charts</summary>
              <ul class="markers" aria-label="Chart markers">
                {selected.markers.map((m, i) => (
                  <li key={i}>
                    <span class="muted">{time(m.at)}</span> {m.kind}: {m.label}
                  </li>
                ))}
              </ul>
            </details>
          )}
        </>
      )}
    </section>
  );
}
