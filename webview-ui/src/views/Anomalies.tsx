// Anomalies: open ones first, then recently resolved, with baseline → current and suspected cause.
import type { DashboardAnomaly } from '../../../shared/http/dashboard';
import { time } from '../format';

const ICON: Record<DashboardAnomaly['severity'], string> = { error: 'error', warning: 'warning', info: 'info' };

function value(v: number | null): string {
  if (v === null) return '—';
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

export function Anomalies({ anomalies }: { anomalies: DashboardAnomaly[] }) {
  const open = anomalies.filter((a) => a.state === 'open').length;
  return (
    <section aria-labelledby="anomalies-heading" data-testid="view-anomalies">
      <h2 id="anomalies-heading">
        Anomalies <span class="muted">({open} open)</span>
      </h2>
      {anomalies.length === 0 ? (
        <p class="empty">No anomalies detected.</p>
      ) : (
        <ul class="items">
          {anomalies.map((a) => (
            <li key={a.id} class={`item ${a.state === 'open' ? '' : 'resolved'}`}>
              <span class={`codicon codicon-${ICON[a.severity]} sev-${a.severity}`} role="img" aria-label={a.severity} />
              <div class="item-body">
                <div class="item-title">{a.title}</div>
                <div class="muted">
                  {a.state} · {a.worker ?? 'all workers'} · {a.metric} {value(a.baseline)} → {value(a.current)} · since {time(a.beganAt)}
                  {a.resolvedAt !== null ? ` · resolved ${time(a.resolvedAt)}` : ''}
                </div>
                {a.suspectedCause && <div>Suspected cause: {a.suspectedCause}</div>}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
