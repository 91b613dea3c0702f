// Experiments: state, decision and, per metric, the relative effect with its confidence interval
// drawn as a bar around zero.
import type { DashboardExperiment, ExperimentEffect } from '../../../shared/http/dashboard';
import { change, count, pct, time, usd } from '../format';

/** One symmetric scale around 0 for all of an experiment's intervals, so their bars compare (at most ±100%). */
function scaleOf(effects: readonly ExperimentEffect[]): number {
  const extremes = effects.flatMap((e) => [e.ciLow, e.ciHigh, e.relative]).filter((v): v is number => v !== null).map(Math.abs);
  return Math.min(1, Math.max(0.05, ...extremes));
}

/** The CI as a bar on the experiment's scale, with a tick at zero and one at the estimate. */
function IntervalBar({ effect, scale }: { effect: ExperimentEffect; scale: number }) {
  if (effect.ciLow === null || effect.ciHigh === null) return <span class="muted">no interval</span>;
  const x = (v: number) => 50 + (Math.max(-scale, Math.min(scale, v)) / scale) * 50;
  const left = x(effect.ciLow);
  const right = x(effect.ciHigh);
  const mid = effect.relative === null ? null : x(effect.relative);
  return (
    <span class="ci" role="img" aria-label={`${effect.metric}: effect ${change(effect.relative)}, interval ${change(effect.ciLow)} to ${change(effect.ciHigh)}`}>
      <span class="ci-zero" />
      <span class="ci-range" style={{ left: `${left}%`, width: `${Math.max(0.5, right - left)}%` }} />
      {mid !== null && <span class="ci-mid" style={{ left: `${mid}%` }} />}
    </span>
  );
}

export function Experiments({ experiments }: { experiments: DashboardExperiment[] }) {
  return (
    <section aria-labelledby="experiments-heading" data-testid="view-experiments">
      <h2 id="experiments-heading">Experiments</h2>
      {experiments.length === 0 ? (
        <p class="empty">No experiments yet.</p>
      ) : (
        <ul class="items">
          {experiments.map((e) => (
            <li key={e.id} class="item">
              <span class="codicon codicon-beaker" aria-hidden="true" />
              <div class="item-body">
                <div class="item-title">
                  {e.kind} · {e.worker ?? 'all workers'} · <span class={`badge state-${e.state}`}>{e.state}</span>
                  {e.decision ? ` · decision: ${e.decision}` : ''}
                </div>
                <div class="muted">
                  {e.id} · started {time(e.startedAt)}
                  {e.endedAt !== null ? ` · ended ${time(e.endedAt)}` : ''} · samples {count(e.samples)} · confidence {pct(e.confidence, 1)} · spent {usd(e.spentUsd)}
                </div>
                {e.effects.length > 0 && (
                  <table class="effects">
                    <thead>
                      <tr>
                        <th scope="col">Metric</th>
                        <th scope="col">Role</th>
                        <th scope="col" class="num">Effect</th>
                        <th scope="col" class="num">95% CI</th>
                        <th scope="col">Interval</th>
                        <th scope="col" class="num">p</th>
                      </tr>
                    </thead>
                    <tbody>
                      {e.effects.map((f) => (
                        <tr key={f.metric}>
                          <th scope="row">{f.metric}</th>
                          <td>{f.role}</td>
                          <td class="num">{change(f.relative)}</td>
                          <td class="num">
                            {change(f.ciLow)} … {change(f.ciHigh)}
                          </td>
                          <td>
                            <IntervalBar effect={f} scale={scaleOf(e.effects)} />
                          </td>
                          <td class="num">{f.p === null ? '—' : f.p.toPrecision(2)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
