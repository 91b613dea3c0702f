// The decision log: every decision, autonomous or human, newest first.
import type { DashboardDecision } from '../../../shared/http/dashboard';
import { time } from '../format';

export function Decisions({ decisions }: { decisions: DashboardDecision[] }) {
  return (
    <section aria-labelledby="decisions-heading" data-testid="view-decisions">
      <h2 id="decisions-heading">Decision log</h2>
      {decisions.length === 0 ? (
        <p class="empty">No decisions logged yet.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">By</th>
                <th scope="col">Action</th>
                <th scope="col">Worker</th>
                <th scope="col">What</th>
              </tr>
            </thead>
            <tbody>
              {decisions.map((d) => (
                <tr key={d.id}>
                  <td class="nowrap">{time(d.at)}</td>
                  <td>
                    <span class={`codicon codicon-${d.actor === 'human' ? 'person' : 'hubot'}`} aria-hidden="true" /> {d.actor}
                  </td>
                  <td>{d.action}</td>
                  <td>{d.worker ?? '—'}</td>
                  <td>{d.summary}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
