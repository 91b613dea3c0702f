// The closed loop on two simulated providers from no config file: share of the achievable cost saving
// captured within 2,000 calls, every worker's quality against its margin, experiments left running,
// what shipped, was rejected or rolled back. Figures only; the targets are printed next to them.
import { startSimulatedProvider } from '../../daemon/demo/simulatedProvider';
import { liveSplitAaRate } from '../support/splitSimulation';
import { loadPriceTable } from '../../daemon/pricing/priceTable';
import { runClosedLoop, type LoopResult } from '../support/closedLoop';
import { contentPipeline, helpdeskPipeline } from '../support/closedLoopPipelines';
import { startHelpdeskProvider } from '../support/helpdeskProvider';

export interface ClosedLoopFigures {
  name: string;
  result: LoopResult;
  qualityHeld: boolean;
  lines: string[];
}

function describe(name: string, r: LoopResult): ClosedLoopFigures {
  const lines: string[] = [];
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  lines.push(`${name}: ${r.calls} calls in ${r.runs} runs, ${r.cycles} cycles; cost/run baseline $${r.baseline.costPerRun.toPrecision(4)}, final $${r.final.costPerRun.toPrecision(4)}, optimum $${r.optimum.costPerRun.toPrecision(4)} → captured ${pct(r.capturedShare)} of the achievable saving (target ≥ 80%)`);
  let held = true;
  for (const [worker, base] of Object.entries(r.baseline.quality)) {
    const fin = r.final.quality[worker] ?? 0;
    const margin = r.margins[worker] ?? 0;
    // A drop counts as broken when it exceeds the margin by more than the two windows' own noise (one-sided 95%).
    const noise = 1.645 * Math.hypot(r.baseline.qualitySe[worker] ?? 0, r.final.qualitySe[worker] ?? 0);
    const ok = base - fin <= margin + noise;
    held &&= ok;
    lines.push(`  ${worker}: quality ${base.toFixed(3)} → ${fin.toFixed(3)} (margin ${margin.toFixed(3)}, window noise ${noise.toFixed(3)}) ${ok ? 'within' : 'BROKEN'}`);
  }
  lines.push(`  experiments left running at the end: ${r.runningExperiments}, of which past their bound: ${r.runningPastBound} (target 0)`);
  for (const e of r.experiments) lines.push(`  experiment ${e.worker}: ${e.state}, treatment exposure ${e.exposure ?? '-'} units, regret ${e.regret?.toFixed(2) ?? '-'}, margin ${e.margin?.toFixed(3) ?? '-'}`);
  lines.push(`  shipped (${r.shipped.length}): ${r.shipped.join(' | ') || '-'}`);
  lines.push(`  rejected (${r.rejected.length}): ${r.rejected.join(' | ') || '-'}`);
  lines.push(`  rolled back (${r.rolledBack.length}): ${r.rolledBack.join(' | ') || '-'}`);
  if (r.waiting.length > 0) lines.push(`  waiting for a quality signal: ${r.waiting.join(' | ')}`);
  return { name, result: r, qualityHeld: held, lines };
}

export async function closedLoopFigures(calls = 2000, keepDir = false): Promise<ClosedLoopFigures[]> {
  const out: ClosedLoopFigures[] = [];
  const lumen = await startHelpdeskProvider();
  try {
    out.push(describe('helpdesk on the Lumen simulator', await runClosedLoop(helpdeskPipeline(), lumen.baseURL, { calls, cycleEvery: 25, finalWindowRuns: 50, keepDir })));
  } finally {
    await lumen.close();
  }
  const demo = await startSimulatedProvider({ seed: 9, latencyScale: 0 });
  try {
    out.push(describe('content on the demo simulator', await runClosedLoop(contentPipeline(loadPriceTable().table), demo.baseURL, { calls, cycleEvery: 25, finalWindowRuns: 50, keepDir })));
  } finally {
    await demo.close();
  }
  return out;
}

export async function closedLoopMarkdown(log: (line: string) => void, calls = 2000): Promise<string> {
  const figs = await closedLoopFigures(calls);
  const aa = liveSplitAaRate();
  const lines = ['### Closed loop from no config (targets: ≥ 80% of the achievable saving in 2,000 calls, quality within margins, no experiment past its bound, A/A false ships ≤ 5%)', ''];
  for (const f of figs) {
    for (const line of f.lines) log(line);
    lines.push('```', ...f.lines, '```', '');
  }
  const aaLine = `live-split A/A: ${aa.shipped} of ${aa.experiments} identical-arm experiments shipped (false-ship rate ${(aa.rate * 100).toFixed(1)}%, target ≤ 5%)`;
  log(aaLine);
  lines.push(aaLine);
  return lines.join('\n');
}

if (require.main === module) {
  void closedLoopFigures(Number(process.argv[2] ?? 2000), process.argv[3] === 'keep').then((figs) => {
    for (const f of figs) for (const line of f.lines) process.stderr.write(line + '\n');
    const aa = liveSplitAaRate();
    process.stderr.write(`live-split A/A false-ship rate ${(aa.rate * 100).toFixed(1)}% (${aa.shipped}/${aa.experiments})\n`);
  });
}
