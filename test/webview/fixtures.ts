// Dashboard payloads for the browser tests: every section filled, and hostile strings (HTML and
// script) wherever a user's data can reach the screen — worker names, titles, prompts, summaries.
import { dashboardSchema, type Dashboard } from '../../shared/http/dashboard';

export const XSS_IMG = '<img src=x onerror=window.__xss=1>';
export const XSS_SCRIPT = '<script>window.__xss=1</script>';
export const XSS_WORKER = `summarize ${XSS_IMG}`;
export const HOUR = 3_600_000;

export function dashboardFixture(generatedAt = Date.parse('2026-11-21T12:00:00Z')): Dashboard {
  const until = generatedAt + 1;
  const since = until - 24 * HOUR;
  const at = Array.from({ length: 24 }, (_, i) => Math.floor(since / HOUR) * HOUR + i * HOUR);
  const wave = (base: number, amp: number, phase = 0) => at.map((_, i) => Math.round((base + amp * Math.sin(i / 3 + phase)) * 1000) / 1000);
  const series = (worker: string, scale: number) => ({
    worker,
    at,
    calls: at.map((_, i) => 40 + (i % 5) * 7),
    latencyP50Ms: wave(900 * scale, 120),
    latencyP95Ms: wave(2100 * scale, 300, 1),
    costUsd: wave(0.12 * scale, 0.03, 2),
    quality: at.map((_, i) => (i === 5 ? null : Math.round((0.78 + 0.004 * i) * 1000) / 1000)),
    errorRate: wave(0.02, 0.015, 0.5).map((v) => Math.max(0, v)),
    markers: [
      { at: at[6] + 600_000, kind: 'anomaly' as const, severity: 'error' as const, label: `latency spike ${XSS_SCRIPT}` },
      { at: at[14], kind: 'optimization' as const, severity: null, label: `Applied: route ${worker} to gpt-4o-mini` },
      { at: at[20], kind: 'rollback' as const, severity: null, label: 'rolled back max_tokens' },
    ],
  });
  const worker = (name: string, calls: number, anomalies: number) => ({
    worker: name,
    models: ['gpt-4o', 'gpt-4o-mini'],
    calls,
    runs: Math.round(calls / 4),
    errorRate: 0.021,
    latencyP50Ms: 912.4,
    latencyP95Ms: 2210.7,
    quantileMethod: 'exact' as const,
    costUsd: 3.41,
    costPerCall: 0.0027,
    costPerRun: 0.011,
    quality: 0.812,
    qualityCount: 340,
    cacheHitRate: 0.12,
    latencyChange: -0.084,
    costPerCallChange: 0.031,
    openAnomalies: anomalies,
  });
  const data: Dashboard = {
    generatedAt,
    computeMs: 12.3,
    window: { hours: 24, since, until, baselineSince: since - 24 * HOUR, bucketMs: HOUR },
    overview: {
      calls: { current: 1248, baseline: 1102, change: 0.1325 },
      costUsd: { current: 4.21, baseline: 5.02, change: -0.1614 },
      latencyP95Ms: { current: 2210, baseline: 1980, change: 0.1162 },
      quality: { current: 0.812, baseline: 0.774, change: 0.0491 },
      errorRate: { current: 0.021, baseline: 0.019, change: 0.1053 },
      savings: { cacheUsd: 1.84, cacheHits: 412, optimizationsUsd: 6.3, appliedOptimizations: 2, totalUsd: 8.14 },
    },
    series: [series(XSS_WORKER, 1), series('outline', 1.4), series('critic', 0.7)],
    workers: [worker(XSS_WORKER, 812, 1), worker('outline', 301, 0), worker('critic', 135, 0)],
    anomalies: [
      {
        id: 'anom_1',
        kind: 'point_spike',
        severity: 'error',
        state: 'open',
        worker: XSS_WORKER,
        metric: 'latency_ms',
        title: `${XSS_WORKER} p95 latency 2.4× its baseline`,
        beganAt: at[6],
        lastSeenAt: at[9],
        resolvedAt: null,
        baseline: 1800,
        current: 4320,
        suspectedCause: `prompt grew: ${XSS_SCRIPT}`,
      },
      {
        id: 'anom_2',
        kind: 'error_rate_spike',
        severity: 'warning',
        state: 'resolved',
        worker: 'outline',
        metric: 'errors',
        title: 'outline error rate 8% (baseline 1%)',
        beganAt: at[2],
        lastSeenAt: at[3],
        resolvedAt: at[4],
        baseline: 0.01,
        current: 0.08,
        suspectedCause: null,
      },
    ],
    recommendations: [
      {
        id: 'rec_open',
        optimizer: 'model_selection',
        worker: XSS_WORKER,
        title: `Route ${XSS_WORKER} to gpt-4o-mini`,
        state: 'open',
        change: { kind: 'model', from: 'gpt-4o', to: 'gpt-4o-mini' },
        expectedGain: { metric: 'cost', relative: -0.6, description: 'cost per call −60%' },
        confidence: 0.94,
        experimentId: 'exp_1',
        createdAt: at[10],
        updatedAt: at[12],
        canApply: true,
        canDismiss: true,
      },
      {
        id: 'rec_prompt',
        optimizer: 'prompt_compression',
        worker: 'outline',
        title: 'Compress the outline prompt',
        state: 'testing',
        change: { kind: 'prompt', from: `You are ${XSS_SCRIPT} a helpful assistant`, to: `Be brief. ${XSS_IMG}` },
        expectedGain: { metric: 'cost', relative: -0.22, description: '' },
        confidence: 0.71,
        experimentId: null,
        createdAt: at[11],
        updatedAt: at[13],
        canApply: false,
        canDismiss: true,
      },
      {
        id: 'rec_done',
        optimizer: 'caching',
        worker: 'critic',
        title: 'Cache critic responses',
        state: 'applied',
        change: { kind: 'cache', from: null, to: '{"enabled":true}' },
        expectedGain: { metric: 'cost', relative: -0.3, description: 'cost −30% on duplicates' },
        confidence: 0.99,
        experimentId: null,
        createdAt: at[1],
        updatedAt: at[2],
        canApply: false,
        canDismiss: false,
      },
    ],
    experiments: [
      {
        id: 'exp_1',
        recommendationId: 'rec_open',
        kind: 'replay',
        worker: XSS_WORKER,
        state: 'shipped',
        decision: 'ship',
        confidence: 0.962,
        samples: 120,
        spentUsd: 0.42,
        startedAt: at[10],
        endedAt: at[11],
        effects: [
          { metric: 'cost', role: 'primary', control: 0.004, treatment: 0.0016, relative: -0.6, ciLow: -0.66, ciHigh: -0.54, p: 0.0004 },
          { metric: 'quality', role: 'guardrail', control: 0.81, treatment: 0.8, relative: -0.012, ciLow: -0.04, ciHigh: 0.016, p: 0.41 },
          { metric: 'latencyMs', role: 'guardrail', control: 900, treatment: 610, relative: -0.32, ciLow: -0.4, ciHigh: -0.25, p: 0.001 },
        ],
      },
      {
        id: 'exp_2',
        recommendationId: 'rec_prompt',
        kind: 'split',
        worker: 'outline',
        state: 'running',
        decision: 'continue',
        confidence: 0.7,
        samples: 44,
        spentUsd: 0,
        startedAt: at[13],
        endedAt: null,
        effects: [{ metric: 'cost', role: 'primary', control: 0.01, treatment: 0.0078, relative: -0.22, ciLow: -0.41, ciHigh: 0.02, p: 0.08 }],
      },
    ],
    decisions: [
      { id: 3, at: at[14], actor: 'flowtune', action: 'apply', worker: XSS_WORKER, summary: `applied "Route ${XSS_WORKER} to gpt-4o-mini" ${XSS_SCRIPT}`, recommendationId: 'rec_open', experimentId: 'exp_1' },
      { id: 2, at: at[12], actor: 'human', action: 'dismiss', worker: 'critic', summary: 'dismissed "Lower critic temperature"', recommendationId: null, experimentId: null },
      { id: 1, at: at[2], actor: 'flowtune', action: 'apply', worker: 'critic', summary: 'applied "Cache critic responses"', recommendationId: 'rec_done', experimentId: null },
    ],
    learningCurve: {
      basis: 'cycle',
      points: Array.from({ length: 8 }, (_, i) => ({ label: `cycle ${i + 2}`, at: at[i * 3], quality: Math.round((0.7 + 0.015 * i) * 1000) / 1000, scored: 30 + i })),
    },
    report: {
      available: true,
      generatedAt,
      initial: { avg_generation_time: 8.2, quality_score: 0.74, cost_per_content: 0.021, success_rate: 0.93 },
      current: { avg_generation_time: 5.9, quality_score: 0.81, cost_per_content: 0.012, success_rate: 0.98 },
      improvements: [{ type: 'model_selection: model', impact: `cost per call −58.0% ${XSS_IMG}`, learned_from: 'paired replay of 120 recorded inputs' }],
      autonomousDecisions: 7,
      humanInterventions: 2,
      learningCycles: 9,
      costSavings: '$6.3012 saved over 412 runs since the first change',
    },
  };
  return dashboardSchema.parse(data);
}

/** The same store with nothing in it: every section must say so rather than break. */
export function emptyDashboardFixture(generatedAt = Date.parse('2026-11-21T12:00:00Z')): Dashboard {
  const full = dashboardFixture(generatedAt);
  const none = { current: null, baseline: null, change: null };
  return {
    ...full,
    overview: { calls: none, costUsd: none, latencyP95Ms: none, quality: none, errorRate: none, savings: { cacheUsd: 0, cacheHits: 0, optimizationsUsd: 0, appliedOptimizations: 0, totalUsd: 0 } },
    series: [],
    workers: [],
    anomalies: [],
    recommendations: [],
    experiments: [],
    decisions: [],
    learningCurve: { basis: 'day', points: [] },
    report: { available: false, reason: 'No report yet: no runs recorded.' },
  };
}
