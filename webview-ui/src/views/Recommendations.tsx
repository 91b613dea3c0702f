// Recommendations with Apply and Dismiss: each click is a round trip host → daemon; the buttons
// wait for the answer and the outcome is announced next to the recommendation.
import type { DashboardRecommendation } from '../../../shared/http/dashboard';
import { change, pct } from '../format';

export interface PendingAction {
  action: 'apply' | 'dismiss';
}

export interface ActionOutcome {
  ok: boolean;
  message: string;
}

interface Props {
  recommendations: DashboardRecommendation[];
  pending: ReadonlyMap<string, PendingAction>;
  outcomes: ReadonlyMap<string, ActionOutcome>;
  onApply: (id: string) => void;
  onDismiss: (id: string) => void;
  compact?: boolean;
}

export function Recommendations({ recommendations, pending, outcomes, onApply, onDismiss, compact = false }: Props) {
  const list = compact ? recommendations.filter((r) => r.canApply || r.canDismiss).slice(0, 5) : recommendations;
  return (
    <section aria-labelledby="recommendations-heading" data-testid="view-recommendations">
      <h2 id="recommendations-heading">Recommendations</h2>
      {list.length === 0 ? (
        <p class="empty">No recommendations{compact ? ' waiting for a decision' : ' yet'}.</p>
      ) : (
        <ul class="items">
          {list.map((r) => {
            const busy = pending.get(r.id);
            const outcome = outcomes.get(r.id);
            return (
              <li key={r.id} class="item" data-testid={`recommendation-${r.id}`}>
                <span class="codicon codicon-lightbulb" aria-hidden="true" />
                <div class="item-body">
                  <div class="item-title">{r.title}</div>
                  <div class="muted">
                    {r.state} · {r.worker ?? 'all workers'} · {r.optimizer} · {r.change.kind}: {r.change.from ?? '—'} → {r.change.to} · confidence {pct(r.confidence, 0)}
                  </div>
                  {!compact && (
                    <div>
                      Expected: {r.expectedGain.description || `${r.expectedGain.metric} ${change(r.expectedGain.relative)}`}
                      {r.experimentId ? ` · experiment ${r.experimentId}` : ''}
                    </div>
                  )}
                  {(r.canApply || r.canDismiss) && (
                    <div class="actions">
                      {r.canApply && (
                        <button type="button" disabled={busy !== undefined} onClick={() => onApply(r.id)} aria-label={`Apply recommendation: ${r.title}`}>
                          <span class="codicon codicon-check" aria-hidden="true" /> {busy?.action === 'apply' ? 'Applying…' : 'Apply'}
                        </button>
                      )}
                      {r.canDismiss && (
                        <button type="button" class="secondary" disabled={busy !== undefined} onClick={() => onDismiss(r.id)} aria-label={`Dismiss recommendation: ${r.title}`}>
                          <span class="codicon codicon-close" aria-hidden="true" /> {busy?.action === 'dismiss' ? 'Dismissing…' : 'Dismiss'}
                        </button>
                      )}
                    </div>
                  )}
                  {outcome && (
                    <div class={`outcome ${outcome.ok ? 'good' : 'bad'}`} role="status">
                      {outcome.message}
                    </div>
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
