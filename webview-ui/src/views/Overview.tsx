// The overview cards: each figure now, its baseline (the window before) and the change, coloured by
// whether the change is good for that figure; and the savings to date.
import type { DashboardOverview, PeriodFigure } from '../../../shared/http/dashboard';
import { change, count, ms, pct, score, usd } from '../format';

interface CardProps {
  label: string;
  figure: PeriodFigure;
  format: (value: number | null) => string;
  /** Lower is better (cost, latency, errors): a fall is good news. */
  lowerIsBetter: boolean | null;
  icon: string;
}

function tone(figure: PeriodFigure, lowerIsBetter: boolean | null): 'good' | 'bad' | 'neutral' {
  if (figure.change === null || lowerIsBetter === null || Math.abs(figure.change) < 0.005) return 'neutral';
  return (figure.change < 0) === lowerIsBetter ? 'good' : 'bad';
}

function Card({ label, figure, format, lowerIsBetter, icon }: CardProps) {
  const t = tone(figure, lowerIsBetter);
  return (
    <div class="card" role="group" aria-label={label}>
      <div class="card-label">
        <span class={`codicon codicon-${icon}`} aria-hidden="true" /> {label}
      </div>
      <div class="card-value">{format(figure.current)}</div>
      <div class={`card-change ${t}`}>
        {figure.change === null ? 'no baseline' : `${change(figure.change)} vs ${format(figure.baseline)}`}
      </div>
    </div>
  );
}

export function Overview({ overview, windowLabel }: { overview: DashboardOverview; windowLabel: string }) {
  const s = overview.savings;
  return (
    <section aria-labelledby="overview-heading" data-testid="view-overview">
      <h2 id="overview-heading">Overview · last {windowLabel} vs the {windowLabel} before</h2>
      <div class="cards">
        <Card label="Calls" figure={overview.calls} format={count} lowerIsBetter={null} icon="pulse" />
        <Card label="Cost" figure={overview.costUsd} format={usd} lowerIsBetter={true} icon="credit-card" />
        <Card label="Latency p95" figure={overview.latencyP95Ms} format={ms} lowerIsBetter={true} icon="watch" />
        <Card label="Quality" figure={overview.quality} format={score} lowerIsBetter={false} icon="star-empty" />
        <Card label="Error rate" figure={overview.errorRate} format={(v) => pct(v, 2)} lowerIsBetter={true} icon="error" />
        <div class="card savings" role="group" aria-label="Savings to date">
          <div class="card-label">
            <span class="codicon codicon-graph" aria-hidden="true" /> Savings to date
          </div>
          <div class="card-value">{usd(s.totalUsd)}</div>
          <div class="card-change neutral">
            cache {usd(s.cacheUsd)} ({count(s.cacheHits)} hits) · {s.appliedOptimizations} optimizations {usd(s.optimizationsUsd)}
          </div>
        </div>
      </div>
    </section>
  );
}
