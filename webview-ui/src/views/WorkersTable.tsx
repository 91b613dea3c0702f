// The workers table: one row per worker over the window (computeWorkerMetrics on the daemon).
import type { DashboardWorker } from '../../../shared/http/dashboard';
import { change, count, ms, pct, score, usd } from '../format';

export function WorkersTable({ workers, onSelect }: { workers: DashboardWorker[]; onSelect: (worker: string) => void }) {
  return (
    <section aria-labelledby="workers-heading" data-testid="view-workers">
      <h2 id="workers-heading">Workers</h2>
      {workers.length === 0 ? (
        <p class="empty">No worker has calls in this window.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Worker</th>
                <th scope="col">Models</th>
                <th scope="col" class="num">Calls</th>
                <th scope="col" class="num">Errors</th>
                <th scope="col" class="num">p50</th>
                <th scope="col" class="num">p95</th>
                <th scope="col" class="num">Latency Δ</th>
                <th scope="col" class="num">Cost</th>
                <th scope="col" class="num">Per call</th>
                <th scope="col" class="num">Quality</th>
                <th scope="col" class="num">Cache hits</th>
                <th scope="col" class="num">Anomalies</th>
              </tr>
            </thead>
            <tbody>
              {workers.map((w) => (
                <tr key={w.worker}>
                  <th scope="row">
                    <button type="button" class="link" onClick={() => onSelect(w.worker)} aria-label={`Chart worker ${w.worker}`}>
                      {w.worker}
                    </button>
                  </th>
                  <td>{w.models.join(', ')}</td>
                  <td class="num">{count(w.calls)}</td>
                  <td class="num">{pct(w.errorRate, 2)}</td>
                  <td class="num">{ms(w.latencyP50Ms)}</td>
                  <td class="num">{ms(w.latencyP95Ms)}</td>
                  <td class="num">{change(w.latencyChange)}</td>
                  <td class="num">{usd(w.costUsd)}</td>
                  <td class="num">{usd(w.costPerCall)}</td>
                  <td class="num">{score(w.quality)}</td>
                  <td class="num">{pct(w.cacheHitRate)}</td>
                  <td class="num">{w.openAnomalies > 0 ? <span class="badge warning">{w.openAnomalies}</span> : '0'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
