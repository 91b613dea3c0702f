// `flowtune optimize` (one cycle, progress on stderr, the outcome on stdout) and `flowtune report`
// (the evolution report as text, --json or --html) against the workspace's daemon.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CycleReport } from '../optimize/cycle';
import type { EvolutionReport } from '../optimize/report/evolutionReport';
import { TOKEN_HEADER } from '../server/requestGuard';
import { progressBar } from './progressBar';
import { daemonUrl, findOrStartDaemon } from './workspace';

async function call(dataDir: string, pathname: string, init: RequestInit = {}): Promise<Response> {
  const info = await findOrStartDaemon(dataDir);
  const response = await fetch(`${daemonUrl(info)}${pathname}`, { ...init, headers: { [TOKEN_HEADER]: info.token, ...(init.headers as Record<string, string> | undefined) } });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new Error(`${pathname}: HTTP ${response.status}${body?.error?.message ? `: ${body.error.message}` : ''}`);
  }
  return response;
}

export function describeCycle(report: CycleReport): string[] {
  const lines = [`cycle ${report.cycle}: analysed ${report.analysed.workers} workers (${report.analysed.calls} calls), ${report.analysed.proposals} proposals; replays spent $${report.spent_usd.toFixed(4)}`];
  for (const t of report.tested) lines.push(`  tested  ${t.method.padEnd(6)} ${t.verdict.padEnd(8)} conf ${t.confidence.toFixed(3)}  ${t.title}`);
  for (const a of report.applied) lines.push(`  applied ${a.title}`);
  for (const r of report.rolled_back) lines.push(`  rolled back ${r.recommendation_id}: ${r.reasons.join('; ')}`);
  for (const l of report.left_for_review) lines.push(`  review  ${l.title} (confidence ${l.confidence.toFixed(3)})`);
  for (const w of report.waiting) lines.push(`  waiting ${w.title}: ${w.reason}`);
  for (const b of report.bandits) lines.push(`  bandit  ${b.worker}: ${b.action} ${Object.entries(b.weights).map(([k, v]) => `${k}=${(v * 100).toFixed(0)}%`).join(' ')}`);
  return lines;
}

export async function optimizeCommand(options: { dataDir: string; json: boolean }): Promise<number> {
  const bar = progressBar();
  const info = await findOrStartDaemon(options.dataDir);
  const poll = setInterval(() => {
    fetch(`${daemonUrl(info)}/v1/optimize/progress`, { headers: { [TOKEN_HEADER]: info.token } })
      .then((r) => r.json() as Promise<{ progress: { stage: string; done: number; total: number } | null }>)
      .then((p) => p.progress && bar.update(p.progress.stage, p.progress.done, p.progress.total))
      .catch(() => undefined);
  }, 250);
  try {
    const response = await call(options.dataDir, '/v1/optimize', { method: 'POST' });
    const report = (await response.json()) as CycleReport;
    bar.done();
    process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${describeCycle(report).join('\n')}\n`);
    return 0;
  } finally {
    clearInterval(poll);
  }
}

export function describeReport(report: EvolutionReport): string[] {
  const e = report.system_evolution;
  const row = (label: string, a: number, b: number, fmt: (x: number) => string) => `  ${label.padEnd(24)} ${fmt(a).padStart(12)} → ${fmt(b).padStart(12)}${a !== 0 ? `  (${b >= a ? '+' : '−'}${Math.abs((b / a - 1) * 100).toFixed(1)}%)` : ''}`;
  const i = e.initial_performance;
  const c = e.current_performance;
  const lines = [
    'Evolution (initial → current):',
    row('avg generation time (s)', i.avg_generation_time, c.avg_generation_time, (x) => x.toFixed(3)),
    row('quality score', i.quality_score, c.quality_score, (x) => x.toFixed(4)),
    row('cost per content ($)', i.cost_per_content, c.cost_per_content, (x) => x.toFixed(6)),
    row('success rate', i.success_rate, c.success_rate, (x) => `${(x * 100).toFixed(1)}%`),
    `Improvements applied (${e.improvements_applied.length}):`,
    ...e.improvements_applied.map((x) => `  - ${x.type}: ${x.impact}\n    learned from ${x.learned_from}`),
    `Decisions: ${e.autonomous_decisions} autonomous, ${e.human_interventions} human; learning cycles: ${e.learning_cycles}`,
    `Cost savings: ${e.cost_savings}`,
  ];
  return lines;
}

export async function reportCommand(options: { dataDir: string; json: boolean; html: boolean; out?: string }): Promise<number> {
  if (options.html) {
    const html = await (await call(options.dataDir, '/v1/report.html')).text();
    const out = path.resolve(options.out ?? path.join(options.dataDir, 'report.html'));
    fs.writeFileSync(out, html);
    process.stdout.write(`${out}\n`);
    return 0;
  }
  const report = (await (await call(options.dataDir, '/v1/report')).json()) as EvolutionReport;
  process.stdout.write(options.json ? `${JSON.stringify({ system_evolution: report.system_evolution }, null, 2)}\n` : `${describeReport(report).join('\n')}\n`);
  return 0;
}
