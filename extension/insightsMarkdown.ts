// "Explain this worker" as a markdown document: the analysis, each recommendation with the measured
// statistics behind it and what becomes of it (hypothesis for the next cycle, or advice). Every text
// from the daemon or the model is escaped, so it shows as text. No vscode import.
import type { InsightRecommendation, WorkerPerformanceAnalysis, WorkerStatistics } from '../shared/http/insights';

/** Escapes markdown and HTML so model text cannot format, link or inject anything. */
export function escapeText(text: string): string {
  // Backslash-escaped punctuation is literal in CommonMark: no emphasis, links, code, tables or HTML.
  return text.replace(/[\\`*_[\]<>|#~&]/g, '\\$&').replace(/\r?\n/g, ' ');
}

function figure(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'string') return escapeText(value);
  if (!Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  return abs !== 0 && abs < 0.01 ? String(Number(value.toPrecision(3))) : abs >= 100 ? String(Math.round(value)) : String(Number(value.toFixed(3)));
}

function percent(value: number | null): string {
  return value === null ? '–' : `${(value * 100).toFixed(1)}%`;
}

function statisticsTable(s: WorkerStatistics): string[] {
  const rows: Array<[string, string]> = [
    ['calls (runs)', `${s.calls} (${s.runs})`],
    ['success rate', percent(s.success_rate)],
    ['latency mean / p50 / p95 / p99 (ms)', [s.latency_ms.mean, s.latency_ms.p50, s.latency_ms.p95, s.latency_ms.p99].map(figure).join(' / ')],
    ['cost per call / per run ($)', `${figure(s.cost.per_call_usd)} / ${figure(s.cost.per_run_usd)}`],
    ['tokens in / out per call', `${figure(s.tokens.input_per_call)} / ${figure(s.tokens.output_per_call)}`],
    ['quality (scores)', `${figure(s.quality.mean)} (${s.quality.count})`],
    ['model · max_tokens · temperature', `${figure(s.primary_model)} · ${figure(s.max_tokens)} · ${figure(s.temperature)}`],
  ];
  return ['| measured | value |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)];
}

function recommendationSection(r: InsightRecommendation): string[] {
  const change = `\`${r.parameter}\`: ${r.current_value === null ? '–' : escapeText(r.current_value)} → **${escapeText(r.new_value)}**`;
  const gain = r.expected_improvement.relative_change;
  const lines = [
    `### ${escapeText(r.category)} · ${escapeText(r.title)}`,
    '',
    `- change: ${change}`,
    `- expected: ${escapeText(r.expected_improvement.metric)} ${gain >= 0 ? '+' : ''}${(gain * 100).toFixed(0)}% — ${escapeText(r.expected_improvement.description)}`,
    `- confidence: ${(r.confidence * 100).toFixed(0)}%`,
    `- what happens: ${escapeText(r.hypothesis.state)} — ${escapeText(r.hypothesis.note)}`,
  ];
  if (r.rationale) lines.push(`- why: ${escapeText(r.rationale)}`);
  const evidence = Object.entries(r.evidence);
  if (evidence.length > 0) lines.push('', `Evidence (measured): ${evidence.map(([k, v]) => `${escapeText(k)} ${figure(v)}`).join(' · ')}`);
  return [...lines, ''];
}

export function insightsMarkdown(a: WorkerPerformanceAnalysis): string {
  const by = a.source === 'model' ? `the analysis model ${escapeText(a.model ?? '')}` : 'the rule-based optimizers';
  const lines = [
    `# Flowtune · explain ${escapeText(a.worker)}`,
    '',
    `Analysed by ${by} on ${new Date(a.generated_at).toISOString()}.`,
    '',
    escapeText(a.summary),
    '',
    '## Measurements',
    '',
    ...statisticsTable(a.statistics),
    '',
  ];
  if (a.statistics.provided.length > 0) lines.push(`Figures given by the request: ${a.statistics.provided.map(escapeText).join(', ')}.`, '');
  lines.push('## Recommendations', '');
  if (a.recommendations.length === 0) lines.push('Nothing to change at the moment.', '');
  for (const r of a.recommendations) lines.push(...recommendationSection(r));
  for (const note of a.notes) lines.push(`> ${escapeText(note)}`, '>');
  if (a.insights_call) lines.push(`> Analysis call: ${a.insights_call.latency_ms} ms, ${a.insights_call.cost_usd === null ? 'cost unknown' : `$${figure(a.insights_call.cost_usd)}`}.`);
  return lines.join('\n') + '\n';
}
