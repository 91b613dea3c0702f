// The daemon's control API as the commands use it: token header, JSON in and out, the daemon's error
// message surfaced as is. No vscode import.
import type { DaemonInfo } from '../daemon/daemonFile';
import { daemonBaseUrl } from './daemonProcess';

export class DaemonHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function daemonJson<T>(info: DaemonInfo, method: 'GET' | 'POST', pathname: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const response = await fetch(daemonBaseUrl(info) + pathname, {
    method,
    headers: { 'x-flowtune-token': info.token, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
    signal,
  });
  const text = await response.text();
  if (!response.ok) {
    let message = `${method} ${pathname} answered ${response.status}`;
    try {
      const parsed = JSON.parse(text) as { error?: { message?: string } };
      if (parsed.error?.message) message = parsed.error.message;
    } catch {
      // not JSON
    }
    throw new DaemonHttpError(response.status, message);
  }
  return JSON.parse(text) as T;
}

/** What `POST /v1/optimize` answers, as far as the summary needs it (fields may be absent on older daemons). */
export interface OptimizeResult {
  analysed?: { workers?: number; calls?: number; proposals?: number };
  tested?: Array<{ title: string; verdict: string }>;
  applied?: Array<{ title: string }>;
  left_for_review?: Array<{ title: string }>;
  rolled_back?: Array<{ recommendation_id: string }>;
  testing?: Array<{ title: string }>;
  spent_usd?: number;
}

/** One line a human reads after a cycle. */
export function optimizeSummary(result: OptimizeResult): string {
  const count = (list: unknown[] | undefined) => list?.length ?? 0;
  const parts = [
    `analysed ${result.analysed?.workers ?? 0} workers (${result.analysed?.calls ?? 0} calls)`,
    `tested ${count(result.tested)}`,
    `applied ${count(result.applied)}`,
    `${count(result.left_for_review)} left for review`,
  ];
  if (count(result.testing) > 0) parts.push(`${count(result.testing)} still testing`);
  if (count(result.rolled_back) > 0) parts.push(`rolled back ${count(result.rolled_back)}`);
  if (result.spent_usd) parts.push(`spent $${result.spent_usd.toFixed(4)}`);
  const applied = (result.applied ?? []).map((item) => item.title).slice(0, 3);
  return `Optimization cycle done: ${parts.join(', ')}.${applied.length ? ` Applied: ${applied.join('; ')}.` : ''}`;
}

export interface EvolutionReport {
  system_evolution: {
    initial_performance: PerformanceFigures;
    current_performance: PerformanceFigures;
    improvements_applied: Array<{ type: string; impact: string; learned_from: string }>;
    autonomous_decisions: number;
    human_interventions: number;
    learning_cycles: number;
    cost_savings: string;
  };
}

interface PerformanceFigures {
  avg_generation_time: number;
  quality_score: number;
  cost_per_content: number;
  success_rate: number;
}

/** The evolution report as a markdown document. */
export function reportMarkdown(report: EvolutionReport): string {
  const evolution = report.system_evolution;
  const row = (name: string, pick: (p: PerformanceFigures) => number, digits: number) =>
    `| ${name} | ${pick(evolution.initial_performance).toFixed(digits)} | ${pick(evolution.current_performance).toFixed(digits)} |`;
  return [
    '# Flowtune — system evolution',
    '',
    '| | initial | current |',
    '|---|---:|---:|',
    row('avg generation time (s)', (p) => p.avg_generation_time, 2),
    row('quality score', (p) => p.quality_score, 3),
    row('cost per content ($)', (p) => p.cost_per_content, 5),
    row('success rate', (p) => p.success_rate, 3),
    '',
    `Autonomous decisions: ${evolution.autonomous_decisions} · human interventions: ${evolution.human_interventions} · learning cycles: ${evolution.learning_cycles} · cost savings: ${evolution.cost_savings}`,
    '',
    '## Improvements applied',
    '',
    ...(evolution.improvements_applied.length === 0
      ? ['None yet.']
      : evolution.improvements_applied.map((item) => `- **${item.type}** — ${item.impact} (learned from: ${item.learned_from})`)),
    '',
  ].join('\n');
}
