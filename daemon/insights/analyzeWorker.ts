// One worker-performance analysis: measure the worker (or take the request's figures), ask the
// analysis model when one is configured — else the rule-based optimizers — and answer recommendations
// with the measured statistics behind each. The model's testable suggestions are stored as hypotheses
// for the next optimization cycle to test; nothing is stored unless the answer was complete and valid.
import { randomUUID } from 'node:crypto';
import type { AnalyzeWorkerRequest, InsightRecommendation, ModelRecommendation, WorkerPerformanceAnalysis, WorkerStatistics } from '../../shared/http/insights';
import { INSIGHTS_WORKER } from '../../shared/http/insights';
import type { DaemonContext } from '../daemonContext';
import { engineFor } from '../optimize/engine';
import { gatherMeasurements } from '../optimize/measurements';
import { changeKey, type Measurements } from '../optimize/optimizer';
import { OPTIMIZERS } from '../optimize/registry';
import { providerForUpstream } from '../proxy/proxyCallRecord';
import { proxyStateFor } from '../proxy/proxyState';
import { HttpError } from '../server/httpError';
import { computeWorkerMetrics } from '../watch/workerMetrics';
import { callAnalysisModel, type AnalysisCallRecord, type AnalysisCaller } from './analysisModel';
import { testableChange } from './hypothesisChange';
import { insightMessages } from './insightPrompt';
import { insightsSettingsFor, type InsightsSettings } from './insightsSettings';
import { InsightStore, type HypothesisRow } from './insightStore';
import { figureRecommendations, MODEL_WOULD_ADD, type FigureSamples } from './figureRules';
import { mergeRecommendations, ruleRecommendations } from './ruleInsights';
import { evidenceFor, hasFigures, workerStatistics } from './workerStatistics';

export const ANALYSIS_WINDOW_MS = 7 * 86_400_000;
/** Recommendations kept from one model answer (two per category, a little slack). */
const MAX_MODEL_RECOMMENDATIONS = 9;

export interface AnalyzeOptions {
  now?: number;
  /** Overrides the configured settings (tests); null forces the rule-based answer. */
  settings?: InsightsSettings | null;
  caller?: AnalysisCaller;
}

interface Measured {
  stats: WorkerStatistics;
  measurements: Measurements;
  samples: FigureSamples;
}

function measure(ctx: DaemonContext, request: AnalyzeWorkerRequest, now: number): Measured {
  const engine = engineFor(ctx);
  // Calls the proxy answered a moment ago are still in its batch queue.
  proxyStateFor(ctx).records.flush();
  const since = now - ANALYSIS_WINDOW_MS;
  const measurements = gatherMeasurements(ctx.db, {
    now: now + 1,
    since,
    config: ctx.config,
    prices: engine.prices,
    overrideOf: (worker) => {
      const o = engine.overrides.get(worker);
      return o ? { spec: o.spec, setAt: o.set_at } : null;
    },
    triedKeys: new Set(engine.recommendations.list().map((r) => changeKey(r.worker, r.change))),
  });
  const metrics = computeWorkerMetrics(ctx.db, { since, until: now + 1 }, 'worker').find((m) => m.worker === request.worker_name) ?? null;
  const { worker_name: worker, ...provided } = request;
  const stats = workerStatistics({ worker, window: { since, until: now }, metrics, measurements: measurements.workers.find((w) => w.worker === worker) ?? null, provided });
  return { stats, measurements, samples: { executionTimes: request.execution_times, qualityScores: request.quality_scores } };
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export async function analyzeWorkerPerformance(ctx: DaemonContext, request: AnalyzeWorkerRequest, options: AnalyzeOptions = {}): Promise<WorkerPerformanceAnalysis> {
  const now = options.now ?? Date.now();
  const { stats, measurements, samples } = measure(ctx, request, now);
  if (!hasFigures(stats)) {
    throw new HttpError(404, 'not_found', `no calls of worker "${request.worker_name}" were recorded in the last 7 days; send execution_times, success_rate, avg_cost or quality_scores to analyse given figures`);
  }
  const settings = options.settings !== undefined ? options.settings : insightsSettingsFor(ctx);
  const rules = mergeRecommendations(ruleRecommendations(OPTIMIZERS, measurements, stats), figureRecommendations(stats, samples));
  if (!settings) return rulesAnalysis(stats, rules, now);
  return modelAnalysis(ctx, stats, measurements, rules, settings, options.caller ?? callAnalysisModel, now);
}

function rulesAnalysis(stats: WorkerStatistics, recommendations: InsightRecommendation[], now: number): WorkerPerformanceAnalysis {
  return {
    analysis_id: null,
    worker: stats.worker,
    source: 'rules',
    model: null,
    generated_at: now,
    summary:
      recommendations.length > 0
        ? `${recommendations.length} recommendation${recommendations.length === 1 ? '' : 's'} from the rule-based analysis of the figures and the optimizers: ${recommendations.slice(0, 3).map((r) => r.title).join('; ')}.`
        : 'The rule-based analysis sees nothing to change: latency, failures, cost and quality are within their norms and the optimizers propose nothing.',
    statistics: stats,
    recommendations,
    notes: [
      'No analysis model is configured: the rule-based analysis of the figures and the rule-based optimizers answered. Confidence is the probability, given these figures, that the problem a recommendation addresses is real.',
      MODEL_WOULD_ADD,
    ],
    insights_call: null,
  };
}

/** Writes the analysis call as any other call (worker flowtune-insights) and returns its id and cost. */
function recordAnalysisCall(ctx: DaemonContext, settings: InsightsSettings, call: AnalysisCallRecord): { id: string; costUsd: number | null } {
  const id = `call_${randomUUID()}`;
  ctx.writer.write({
    runs: [],
    steps: [],
    scores: [],
    calls: [
      {
        id,
        worker: INSIGHTS_WORKER,
        source: 'native',
        provider: providerForUpstream(settings.baseURL),
        operation: 'chat',
        requestModel: call.requestModel,
        responseModel: call.responseModel,
        temperature: 0,
        inputTokens: call.inputTokens,
        outputTokens: call.outputTokens,
        startedAt: call.startedAt,
        latencyMs: call.latencyMs,
        finishReason: call.finishReason,
        status: call.status,
        httpStatus: call.httpStatus,
        errorType: call.errorType,
        errorMessage: call.errorMessage,
        inputText: call.inputText,
        outputText: call.outputText,
      },
    ],
  });
  const row = ctx.db.prepare('SELECT cost_usd FROM calls WHERE id = ?').get(id) as { cost_usd: number | null } | undefined;
  return { id, costUsd: row?.cost_usd ?? null };
}

function candidateModels(measurements: Measurements): Array<{ model: string; input_usd_per_million_tokens: number; output_usd_per_million_tokens: number }> {
  return measurements.candidateModels.slice(0, 20).flatMap((model) => {
    const price = measurements.priceOf(model);
    return price ? [{ model, input_usd_per_million_tokens: price.inputPerToken * 1e6, output_usd_per_million_tokens: price.outputPerToken * 1e6 }] : [];
  });
}

async function modelAnalysis(ctx: DaemonContext, stats: WorkerStatistics, measurements: Measurements, rules: InsightRecommendation[], settings: InsightsSettings, caller: AnalysisCaller, now: number): Promise<WorkerPerformanceAnalysis> {
  const worker = measurements.workers.find((w) => w.worker === stats.worker) ?? null;
  const config = ctx.config.workers.find((w) => w.name === stats.worker);
  const messages = insightMessages({
    statistics: stats,
    evaluatorKinds: (config?.evaluators ?? []).map((e) => e.type),
    candidates: candidateModels(measurements),
    systemPrompt: settings.includeContent ? (worker?.systemPrompt ?? null) : null,
  });
  let call: { id: string; costUsd: number | null; record: AnalysisCallRecord } | null = null;
  const insights = await caller(settings, messages, (record) => {
    call = { ...recordAnalysisCall(ctx, settings, record), record };
  });
  const analysisId = `ins_${randomUUID()}`;
  const hypotheses: HypothesisRow[] = [];
  const seen = new Set<string>();
  const recommendations: InsightRecommendation[] = insights.recommendations.slice(0, MAX_MODEL_RECOMMENDATIONS).map((raw, index) => {
    const rec = cleaned(raw);
    const evidence = evidenceFor(rec.category, stats);
    const testable = testableChange(rec, stats);
    let hypothesis: InsightRecommendation['hypothesis'];
    if (!testable.testable) hypothesis = { id: null, state: 'not_testable', note: testable.note };
    else if (seen.has(changeKey(stats.worker, testable.change))) hypothesis = { id: null, state: 'not_testable', note: 'the same change as an earlier recommendation of this answer' };
    else {
      seen.add(changeKey(stats.worker, testable.change));
      const id = `hyp_${randomUUID()}`;
      hypotheses.push({
        id,
        analysisId,
        worker: stats.worker,
        category: rec.category,
        title: rec.title,
        change: testable.change,
        override: testable.override,
        expectedGain: { metric: testable.primaryMetric, relative: rec.expected_improvement.relative_change, description: rec.expected_improvement.description },
        evidence: { ...evidence, rationale: rec.rationale, model_confidence: rec.confidence },
        confidence: rec.confidence,
        createdAt: now,
      });
      hypothesis = { id, state: 'pending', note: 'stored as a hypothesis: the next optimization cycle tests it by experiment; it ships only if the experiment proves it' };
    }
    return { id: `rec-${index + 1}`, ...rec, evidence, hypothesis };
  });
  const recorded = call as { id: string; costUsd: number | null; record: AnalysisCallRecord } | null;
  const result: WorkerPerformanceAnalysis = {
    analysis_id: analysisId,
    worker: stats.worker,
    source: 'model',
    model: settings.model,
    generated_at: now,
    summary: clip(insights.summary, 2000),
    statistics: stats,
    // The model's answer comes first; the rules' recommendations on what it did not address stay.
    recommendations: mergeRecommendations(recommendations, rules),
    notes: [
      'The analysis model’s recommendations come first, then the rule-based ones on parameters it did not address; every figure and all evidence are the daemon’s own measurements.',
      settings.includeContent ? 'The worker’s system prompt was sent with its aggregates (insights.include_content is on).' : 'Only aggregates were sent to the analysis model; no prompt or output text.',
      'Suggestions never apply themselves: testable ones are hypotheses for the next optimization cycle.',
    ],
    insights_call: recorded
      ? { call_id: recorded.id, cost_usd: recorded.costUsd, input_tokens: recorded.record.inputTokens, output_tokens: recorded.record.outputTokens, latency_ms: recorded.record.latencyMs }
      : null,
  };
  new InsightStore(ctx.db).saveAnalysis({ id: analysisId, worker: stats.worker, source: 'model', model: settings.model, callId: recorded?.id ?? null, statistics: stats, result, createdAt: now }, hypotheses);
  return result;
}

/** The model's texts cut to sizes an editor can show. */
function cleaned(rec: ModelRecommendation): ModelRecommendation {
  return {
    ...rec,
    title: clip(rec.title.trim() || `${rec.parameter} → ${rec.new_value}`, 200),
    current_value: rec.current_value === null ? null : clip(rec.current_value, 200),
    new_value: clip(rec.new_value, 200),
    rationale: clip(rec.rationale, 2000),
    expected_improvement: { ...rec.expected_improvement, description: clip(rec.expected_improvement.description, 500) },
  };
}
