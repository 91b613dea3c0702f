// The door from AI insights into the experiment pipeline: an optimizer whose proposals are the stored
// hypotheses no cycle has taken up yet. They are tested like any proposal and, unlike rule proposals,
// never ship on their own evidence (requiresExperiment): only an experiment's verdict can apply them.
import type Database from 'better-sqlite3';
import { INSIGHTS_OPTIMIZER } from '../../shared/http/insights';
import { changeKey, type Measurements, type Optimizer, type Proposal } from '../optimize/optimizer';
import { InsightStore, type HypothesisStatus } from './insightStore';

/** The model's confidence is a prior, not evidence: it orders the tests, the experiment decides. */
const PRIOR_WEIGHT = 0.8;

export function hypothesisProposal(h: HypothesisStatus): Proposal {
  const [key, value] = Object.entries(h.override)[0] ?? ['model', null];
  return {
    optimizer: INSIGHTS_OPTIMIZER,
    worker: h.worker,
    title: `${h.worker}: ${h.title} (AI hypothesis)`,
    change: h.change,
    evidence: { ...h.evidence, hypothesis_id: h.id, analysis_id: h.analysisId, category: h.category, source: 'ai-insights' },
    expectedGain: h.expectedGain,
    confidence: Math.min(1, Math.max(0, h.confidence * PRIOR_WEIGHT)),
    test: { method: 'replay', primaryMetric: h.expectedGain.metric },
    apply: { override: { ...h.override }, edit: { kind: 'config', key, value } },
    requiresExperiment: true,
  };
}

/** Proposals for the pending hypotheses of workers measured in this cycle, unless the change was tried already. */
export function hypothesisProposals(pending: readonly HypothesisStatus[], m: Measurements): Proposal[] {
  const measured = new Set(m.workers.map((w) => w.worker));
  return pending.filter((h) => measured.has(h.worker) && !m.triedKeys.has(changeKey(h.worker, h.change))).map(hypothesisProposal);
}

export function aiHypothesesOptimizer(db: Database.Database): Optimizer {
  const store = new InsightStore(db);
  return { name: INSIGHTS_OPTIMIZER, propose: (m) => hypothesisProposals(store.pending(), m) };
}
