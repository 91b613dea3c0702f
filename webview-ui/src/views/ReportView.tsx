// The evolution report (GET /v1/report, computed from the data): first against current performance,
// improvements and what each was learned from, autonomous vs human decisions, savings.
import type { DashboardReport } from '../../../shared/http/dashboard';
import { change, pct, score, usd } from '../format';

type Perf = Extract<DashboardReport, { available: true }>['initial'];

const ROWS: Array<{ label: string; pick: (p: Perf) => number; format: (v: number) => string }> = [
  { label: 'Generation time', pick: (p) => p.avg_generation_time, format: (v) => `${v.toFixed(2)} s` },
  { label: 'Quality', pick: (p) => p.quality_score, format: (v) => score(v) },
  { label: 'Cost per run', pick: (p) => p.cost_per_content, format: (v) => usd(v) },
  { label: 'Success rate', pick: (p) => p.success_rate, format: (v) => pct(v) },
];

export function ReportView({ report }: { report: DashboardReport }) {
  return (
    <section aria-labelledby="report-heading" data-testid="view-report">
      <h2 id="report-heading">Evolution report</h2>
      {!report.available ? (
        <p class="empty">{report.reason}</p>
      ) : (
        <>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Figure</th>
                  <th scope="col" class="num">Initial</th>
                  <th scope="col" class="num">Current</th>
                  <th scope="col" class="num">Change</th>
                </tr>
              </thead>
              <tbody>
                {ROWS.map((row) => {
                  const a = row.pick(report.initial);
                  const b = row.pick(report.current);
                  return (
                    <tr key={row.label}>
                      <th scope="row">{row.label}</th>
                      <td class="num">{row.format(a)}</td>
                      <td class="num">{row.format(b)}</td>
                      <td class="num">{a !== 0 ? change((b - a) / Math.abs(a)) : '—'}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <p>
            {report.autonomousDecisions} autonomous decisions · {report.humanInterventions} human interventions · {report.learningCycles} learning cycles
          </p>
          <p>Cost savings: {report.costSavings}</p>
          {report.improvements.length > 0 && (
            <ul class="items">
              {report.improvements.map((imp, i) => (
                <li key={i} class="item">
                  <span class="codicon codicon-rocket" aria-hidden="true" />
                  <div class="item-body">
                    <div class="item-title">{imp.type}</div>
                    <div>{imp.impact}</div>
                    <div class="muted">learned from {imp.learned_from}</div>
                  </div>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
