// The evolution report as one self-contained HTML page: inline SVG charts (cost, time and quality
// per run with the applied changes marked; the learning curve per cycle), every text escaped, no
// script and no remote resource.
import type { EvolutionReport } from './evolutionReport';
import type { Performance } from './runPoints';

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

interface Series {
  label: string;
  color: string;
  points: Array<{ x: number; y: number | null }>;
}

const W = 720;
const H = 220;
const PAD = { left: 64, right: 16, top: 24, bottom: 28 };

function fmtNumber(y: number): string {
  if (y === 0) return '0';
  const abs = Math.abs(y);
  return abs >= 100 ? y.toFixed(0) : abs >= 1 ? y.toFixed(2) : y.toPrecision(2);
}

export function lineChart(title: string, series: readonly Series[], markers: ReadonlyArray<{ x: number; label: string; color: string }> = []): string {
  const all = series.flatMap((s) => s.points).filter((p): p is { x: number; y: number } => p.y !== null && Number.isFinite(p.y));
  if (all.length === 0) return `<figure><figcaption>${escapeHtml(title)}</figcaption><p class="empty">no data yet</p></figure>`;
  const xs = [...all.map((p) => p.x), ...markers.map((m) => m.x)];
  const minX = Math.min(...xs);
  const maxX = Math.max(...xs);
  const minY = Math.min(0, ...all.map((p) => p.y));
  const maxY = Math.max(...all.map((p) => p.y)) || 1;
  const sx = (x: number) => PAD.left + ((x - minX) / (maxX - minX || 1)) * (W - PAD.left - PAD.right);
  const sy = (y: number) => H - PAD.bottom - ((y - minY) / (maxY - minY || 1)) * (H - PAD.top - PAD.bottom);
  const parts: string[] = [];
  parts.push(`<line x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}" stroke="#888"/>`);
  parts.push(`<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${H - PAD.bottom}" stroke="#888"/>`);
  for (const tick of [minY, (minY + maxY) / 2, maxY]) {
    parts.push(`<text x="${PAD.left - 6}" y="${sy(tick) + 4}" text-anchor="end" font-size="11">${escapeHtml(fmtNumber(tick))}</text>`);
  }
  for (const m of markers) {
    const x = sx(m.x).toFixed(1);
    parts.push(`<line x1="${x}" y1="${PAD.top}" x2="${x}" y2="${H - PAD.bottom}" stroke="${m.color}" stroke-dasharray="3 3"><title>${escapeHtml(m.label)}</title></line>`);
  }
  series.forEach((s, i) => {
    const pts = s.points.filter((p): p is { x: number; y: number } => p.y !== null && Number.isFinite(p.y)).map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`);
    if (pts.length > 0) parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${pts.join(' ')}"/>`);
    parts.push(`<text x="${PAD.left + 8 + i * 160}" y="14" font-size="12" fill="${s.color}">${escapeHtml(s.label)}</text>`);
  });
  return `<figure><figcaption>${escapeHtml(title)}</figcaption><svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(title)}">${parts.join('')}</svg></figure>`;
}

/** Rolling mean so per-run noise does not hide the trend. */
function rolling(values: ReadonlyArray<number | null>, window: number): Array<number | null> {
  return values.map((_, i) => {
    const slice = values.slice(Math.max(0, i - window + 1), i + 1).filter((v): v is number => v !== null);
    return slice.length > 0 ? slice.reduce((s, v) => s + v, 0) / slice.length : null;
  });
}

function perfRow(label: string, key: keyof Performance, report: EvolutionReport, format: (x: number) => string): string {
  const a = report.system_evolution.initial_performance[key];
  const b = report.system_evolution.current_performance[key];
  const change = a !== 0 ? `${b >= a ? '+' : '−'}${Math.abs((b / a - 1) * 100).toFixed(1)}%` : '';
  return `<tr><td>${escapeHtml(label)}</td><td>${escapeHtml(format(a))}</td><td>${escapeHtml(format(b))}</td><td>${escapeHtml(change)}</td></tr>`;
}

export function renderHtmlReport(report: EvolutionReport): string {
  const evo = report.system_evolution;
  const d = report.details;
  const window = Math.max(1, Math.round(d.series.length / 30));
  // Runs are plotted by their order (cycles run between generations leave long idle gaps in time);
  // a change is marked before the first run that started after it.
  const xs = d.series.map((_, i) => i);
  const firstRunAfter = (at: number) => {
    const index = d.series.findIndex((p) => p.at >= at);
    return index === -1 ? d.series.length : index;
  };
  const markers = d.events.map((e) => ({ x: firstRunAfter(e.at) - 0.5, label: `${e.action} by ${e.actor}: ${e.summary}`, color: e.action.includes('rollback') ? '#c0392b' : '#27ae60' }));
  const costChart = lineChart('Cost per content by run (USD, rolling mean; green: applied change, red: rollback)', [{ label: 'cost per run', color: '#2c6fbb', points: rolling(d.series.map((p) => p.cost), window).map((y, i) => ({ x: xs[i], y })) }], markers);
  const timeChart = lineChart('Generation time by run (s, rolling mean)', [{ label: 'seconds per run', color: '#8e44ad', points: rolling(d.series.map((p) => p.duration_s), window).map((y, i) => ({ x: xs[i], y })) }], markers);
  const qualityChart = lineChart('Quality by run (rolling mean of scores)', [{ label: 'quality', color: '#d35400', points: rolling(d.series.map((p) => p.quality), window).map((y, i) => ({ x: xs[i], y })) }], markers);
  const curveChart = lineChart('Learning curve: quality per cycle', [{ label: 'quality', color: '#16a085', points: d.learning_curve.map((c) => ({ x: c.cycle, y: c.quality })) }]);
  const improvements = d.improvements
    .map(
      (i) =>
        `<tr><td>${escapeHtml(i.type)}</td><td>${escapeHtml(i.title)}</td><td>${escapeHtml(i.impact)}</td><td>${escapeHtml(i.learned_from)}</td></tr>` +
        (i.prompt ? `<tr><td></td><td colspan="3"><pre>${escapeHtml(i.prompt)}</pre></td></tr>` : ''),
    )
    .join('');
  const decisions = d.decisions
    .map((e) => `<tr><td>${escapeHtml(new Date(e.at).toISOString())}</td><td>${escapeHtml(e.actor)}</td><td>${escapeHtml(e.action)}</td><td>${escapeHtml(e.summary)}</td></tr>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Flowtune evolution report</title>
<style>body{font:14px/1.45 system-ui,sans-serif;margin:24px;max-width:980px;color:#222}table{border-collapse:collapse;margin:8px 0 20px}td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}figure{margin:16px 0}figcaption{font-weight:600;margin-bottom:4px}pre{white-space:pre-wrap;background:#f6f6f6;padding:6px;margin:0}.empty{color:#888}</style>
</head><body>
<h1>Flowtune evolution report</h1>
<p>Generated ${escapeHtml(new Date(d.generated_at).toISOString())} from ${d.runs} runs. Initial window: ${d.initial_window.runs} runs before the first change; current window: ${d.current_window.runs} runs under the current configuration.</p>
<table><thead><tr><th>metric</th><th>initial</th><th>current</th><th>change</th></tr></thead><tbody>
${perfRow('avg generation time (s)', 'avg_generation_time', report, (x) => x.toFixed(3))}
${perfRow('quality score', 'quality_score', report, (x) => x.toFixed(4))}
${perfRow('cost per content (USD)', 'cost_per_content', report, (x) => x.toFixed(6))}
${perfRow('success rate', 'success_rate', report, (x) => (x * 100).toFixed(1) + '%')}
</tbody></table>
<p><strong>Cost savings:</strong> ${escapeHtml(evo.cost_savings)}<br><strong>Decisions:</strong> ${evo.autonomous_decisions} autonomous, ${evo.human_interventions} human; ${evo.learning_cycles} learning cycles.</p>
${costChart}
${timeChart}
${qualityChart}
${curveChart}
<h2>Improvements applied</h2>
<table><thead><tr><th>type</th><th>change</th><th>impact</th><th>learned from</th></tr></thead><tbody>${improvements || '<tr><td colspan="4">none yet</td></tr>'}</tbody></table>
<h2>Decision log</h2>
<table><thead><tr><th>when</th><th>by</th><th>action</th><th>what</th></tr></thead><tbody>${decisions}</tbody></table>
</body></html>
`;
}
