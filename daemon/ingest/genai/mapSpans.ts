// Normalised OTLP spans to Flowtune runs, steps, calls and scores.
//
// Ids: a step's and a call's id is `${traceId}:${spanId}` (span ids are only unique within a
// trace), so re-sending a batch yields the same ids and the store can upsert idempotently.
// Run id: `flowtune.run.id` (span or resource) or `traceloop.association.properties.run_id` seen
// on any span of the trace, else the trace id.
// Steps: workflow/agent/tool/task/chain spans of any convention, spans marked `flowtune.worker`,
// and plain spans between a model call and its nearest application step (an app's manual worker
// span; framework steps do not stop this). A call's worker follows workerAttribution.ts: the
// application's name wins over a framework's, whichever is nearer.
// Parents in other batches: with a RecentSpanIndex, unresolved parents are resolved when they
// arrive and reported as `callLinks`/`stepLinks` (stepId/worker for calls stored earlier); without
// one, the raw parent id `${traceId}:${parentSpanId}` is used and the store must tolerate it.
import type { NormalizedSpan } from '../otlp/normalizedTypes';
import type { CallRecord, ContentMode, IngestBatch, RecordSource, RunRecord, ScoreRecord, SpanStatus, StepRecord } from '../../store/records';
import { FLOWTUNE, KEYS, firstStr, str } from './attributeKeys';
import { classifySpan, type SpanRole } from './classify';
import { callFromSpan } from './callRecord';
import { evaluationScore, qualityAttributeScore } from './scores';
import type { IndexedSpan, PlainSpanInfo, RecentSpanIndex } from './spanIndex';
import { RANK, attributionOf, stronger, type Attribution } from './workerAttribution';

export interface MapSpansOptions {
  /** Default 'otlp'. */
  source?: RecordSource;
  /** How input/output text is kept; default 'full'. Apply it here or in the store, not both. */
  contentMode?: ContentMode;
  /** Cross-batch memory; the same instance must be passed for every batch of a daemon. */
  index?: RecentSpanIndex;
}

/**
 * A call stored earlier whose ancestors arrived in this batch: its step (when it had none) and its
 * worker (when a stronger one was found). `final`: every ancestor is known now, the worker is settled.
 */
export interface CallLink {
  callId: string;
  stepId: string | null;
  worker: string | null;
  final: boolean;
}

/** A step stored earlier whose parent step became known in this batch. */
export interface StepLink {
  stepId: string;
  parentStepId: string;
}

export interface MapSpansResult {
  batch: IngestBatch;
  rejected: number;
  errors: string[];
  callLinks: CallLink[];
  stepLinks: StepLink[];
}

interface SpanNode {
  span: NormalizedSpan;
  key: string;
  parentKey: string | undefined;
  role: SpanRole;
  runId: string;
  promoted: boolean;
  step?: { id: string; worker: string; kind: string };
  /** A step: what it makes of a descendant call's worker. A call: its own worker. */
  attribution?: Attribution;
  /** A call: the step it was stored under. */
  callStepId?: string;
}

/** Walking up from a call: its nearest step, the strongest worker, and where the walk stopped unknown. */
interface AncestorWalk {
  stepId?: string;
  stepNode?: SpanNode;
  best?: Attribution;
  unresolved?: string;
}

type NearestStep = { stepId: string; worker: string; node?: SpanNode } | { unresolved: string } | null;

const keyOf = (traceId: string, spanId: string): string => `${traceId}:${spanId}`;

function spanStatus(code: number): SpanStatus {
  return code === 2 ? 'error' : code === 1 ? 'ok' : 'unset';
}

function explicitRunId(span: NormalizedSpan): string | undefined {
  return str(span.attributes, FLOWTUNE.runId) ?? str(span.resource, FLOWTUNE.runId) ?? str(span.attributes, KEYS.runIdAssociation);
}

function stepWorkerName(span: NormalizedSpan, kind: string): string {
  const a = span.attributes;
  return firstStr(a, KEYS.workerName) ?? (kind === 'workflow' ? firstStr(a, KEYS.workflowName) : undefined) ?? span.name;
}

export function mapSpansToBatch(spans: readonly NormalizedSpan[], options: MapSpansOptions = {}): MapSpansResult {
  const source = options.source ?? 'otlp';
  const contentMode = options.contentMode ?? 'full';
  const index = options.index;
  const errors: string[] = [];
  const callLinks: CallLink[] = [];
  const stepLinks: StepLink[] = [];
  const steps: StepRecord[] = [];

  // Run per trace: an explicit run id on any span of the trace wins for the whole trace.
  const traceRuns = new Map<string, string>();
  for (const span of spans) {
    if (traceRuns.has(span.traceId)) continue;
    const explicit = explicitRunId(span);
    if (explicit !== undefined) traceRuns.set(span.traceId, explicit);
  }

  // Re-sent spans replace earlier copies: the last one wins.
  const nodes = new Map<string, SpanNode>();
  for (const span of spans) {
    const key = keyOf(span.traceId, span.spanId);
    const runId = traceRuns.get(span.traceId) ?? index?.runOf(span.traceId) ?? span.traceId;
    const parentKey = span.parentSpanId !== undefined ? keyOf(span.traceId, span.parentSpanId) : undefined;
    nodes.set(key, { span, key, parentKey, role: classifySpan(span.attributes), runId, promoted: false });
  }
  if (index !== undefined) for (const [traceId, runId] of traceRuns) index.setRun(traceId, runId);

  const promotedEarlier: { key: string; entry: IndexedSpan; plain: PlainSpanInfo }[] = [];
  // Plain spans between a call and its nearest explicit step become steps.
  const promoteAbove = (startKey: string | undefined, traceId: string): void => {
    let cur = startKey;
    for (let depth = 0; cur !== undefined && depth < 1000; depth++) {
      const node = nodes.get(cur);
      if (node !== undefined) {
        if (node.role.role === 'step' && attributionOf(node.span, node.span.name).rank >= RANK.application) return;
        if (node.role.role === 'plain') {
          if (node.promoted) return;
          node.promoted = true;
        }
        cur = node.parentKey;
        continue;
      }
      const known = index?.get(cur);
      if (known === undefined) {
        index?.addPending(cur, { llm: true });
        return;
      }
      if (known.stepId !== undefined && (known.attribution?.rank ?? RANK.application) >= RANK.application) return;
      if (known.plain !== undefined) {
        // Seen earlier as a plain span; an LLM descendant makes it a step now.
        known.stepId = cur;
        known.worker = known.plain.name;
        if (known.attribution?.rank === RANK.application) known.attribution = { name: known.plain.name, rank: RANK.application };
        promotedEarlier.push({ key: cur, entry: known, plain: known.plain });
        known.plain = undefined;
      }
      cur = known.parentSpanId !== undefined ? keyOf(traceId, known.parentSpanId) : undefined;
    }
  };

  const nearestStep = (startKey: string | undefined, traceId: string): NearestStep => {
    let cur = startKey;
    for (let depth = 0; cur !== undefined && depth < 1000; depth++) {
      const node = nodes.get(cur);
      if (node !== undefined) {
        if (node.step !== undefined) return { stepId: node.step.id, worker: node.step.worker, node };
        cur = node.parentKey;
        continue;
      }
      const known = index?.get(cur);
      if (known === undefined) return { unresolved: cur };
      if (known.stepId !== undefined) return { stepId: known.stepId, worker: known.worker ?? '' };
      cur = known.parentSpanId !== undefined ? keyOf(traceId, known.parentSpanId) : undefined;
    }
    return null;
  };

  /** Up from `startKey` (included): the nearest step and the strongest worker; stops at an explicit one. */
  const walkUp = (startKey: string | undefined, traceId: string): AncestorWalk => {
    const walk: AncestorWalk = {};
    let cur = startKey;
    for (let depth = 0; cur !== undefined && depth < 1000; depth++) {
      const node = nodes.get(cur);
      let attribution: Attribution | undefined;
      let next: string | undefined;
      if (node !== undefined) {
        if (node.step !== undefined) {
          if (walk.stepId === undefined) {
            walk.stepId = node.step.id;
            walk.stepNode = node;
          }
          attribution = node.attribution;
        }
        next = node.parentKey;
      } else {
        const known = index?.get(cur);
        if (known === undefined) {
          walk.unresolved = cur;
          return walk;
        }
        if (known.stepId !== undefined) {
          walk.stepId ??= known.stepId;
          attribution = known.attribution ?? (known.worker !== undefined ? { name: known.worker, rank: RANK.application } : undefined);
        }
        next = known.parentSpanId !== undefined ? keyOf(traceId, known.parentSpanId) : undefined;
      }
      walk.best = stronger(walk.best, attribution);
      if (walk.best?.rank === RANK.explicit) return walk;
      cur = next;
    }
    return walk;
  };

  // Without an index the raw parent id stands in; with one, null now and a StepLink later.
  function resolveParentStep(stepId: string, parentKey: string | undefined): string | null {
    const nearest = nearestStep(parentKey, stepId.slice(0, stepId.indexOf(':')));
    if (nearest === null) return null;
    if ('unresolved' in nearest) {
      if (index === undefined) return nearest.unresolved;
      index.addPending(nearest.unresolved, { steps: [stepId] });
      return null;
    }
    return nearest.stepId;
  }

  for (const node of nodes.values()) {
    const pending = index?.peekPending(node.key);
    if (node.role.role === 'call') promoteAbove(node.parentKey, node.span.traceId);
    else if (pending?.llm === true && node.role.role === 'plain' && !node.promoted) {
      node.promoted = true;
      promoteAbove(node.parentKey, node.span.traceId);
    } else if (pending?.llm === true && node.role.role === 'step' && attributionOf(node.span, node.span.name).rank < RANK.application) {
      // A framework step does not stop the promotion: the application's span may be further up.
      promoteAbove(node.parentKey, node.span.traceId);
    }
  }
  for (const node of nodes.values()) {
    if (node.role.role === 'step') node.step = { id: node.key, worker: stepWorkerName(node.span, node.role.kind), kind: node.role.kind };
    else if (node.promoted) node.step = { id: node.key, worker: stepWorkerName(node.span, 'span'), kind: 'span' };
    if (node.step !== undefined) node.attribution = attributionOf(node.span, node.step.worker);
  }

  for (const { key, entry, plain } of promotedEarlier) {
    const parentKey = entry.parentSpanId !== undefined ? keyOf(entry.traceId, entry.parentSpanId) : undefined;
    steps.push({
      id: key,
      runId: entry.runId,
      parentStepId: resolveParentStep(key, parentKey),
      worker: plain.name,
      kind: 'span',
      startedAt: plain.startedAt,
      endedAt: plain.endedAt,
      status: plain.status,
      errorMessage: plain.errorMessage,
      attributes: null,
    });
  }

  const calls: CallRecord[] = [];
  const scores: ScoreRecord[] = [];
  for (const node of nodes.values()) {
    const { span } = node;
    if (node.step !== undefined) {
      const a = span.attributes;
      const sourceFile = firstStr(a, KEYS.sourceFile);
      steps.push({
        id: node.step.id,
        runId: node.runId,
        parentStepId: resolveParentStep(node.key, node.parentKey),
        worker: node.step.worker,
        kind: node.step.kind,
        startedAt: span.startTimeMs,
        endedAt: span.endTimeMs,
        status: spanStatus(span.status.code),
        errorMessage: span.status.code === 2 ? span.status.message || null : null,
        attributes: sourceFile !== undefined ? { sourceFile, sourceLine: a['code.line.number'] ?? a['code.lineno'] ?? null } : null,
      });
    } else if (node.role.role === 'call') {
      const a = span.attributes;
      const own = str(a, FLOWTUNE.worker);
      node.attribution = own !== undefined ? { name: own, rank: RANK.explicit } : undefined;
      const walk = walkUp(node.parentKey, span.traceId);
      const agent = str(a, KEYS.agentName);
      const best = stronger(stronger(node.attribution, walk.best), agent !== undefined ? { name: agent, rank: RANK.callAgent } : undefined);
      let stepId = walk.stepId ?? null;
      // Ancestors not seen yet may still name a stronger worker: wait for them before the rollups count it.
      const waiting = walk.unresolved !== undefined && (best?.rank ?? RANK.none) < RANK.explicit;
      if (walk.unresolved !== undefined) {
        if (index === undefined) stepId ??= walk.unresolved;
        else if (waiting || stepId === null) index.addPending(walk.unresolved, { calls: [node.key] });
      }
      node.attribution = best;
      node.callStepId = stepId ?? undefined;
      const stepAttributes = walk.stepNode?.span.attributes;
      const call = callFromSpan(span, { id: node.key, runId: node.runId, stepId, worker: best?.name ?? null, operation: node.role.operation, source, contentMode, stepAttributes });
      if (waiting && index !== undefined) call.awaitingParent = true;
      calls.push(call);
      const quality = qualityAttributeScore(a, node.key, node.runId, span.endTimeMs);
      if (quality !== null) scores.push(quality);
    }
    for (const event of span.events) {
      if (event.name !== KEYS.evaluationEvent) continue;
      scores.push(evaluationScore(event.attributes, { callId: evaluatedCallId(node), runId: node.runId }, event.timeMs));
    }
  }

  /** A call stored earlier learns about ancestors that arrived now: a stronger worker, its step, or that it is settled. */
  function linkWaitingCall(callId: string, walk: AncestorWalk): void {
    const entry = index?.get(callId);
    if (index === undefined || entry === undefined) return;
    const best = stronger(entry.attribution, walk.best);
    const stepId = entry.callStepId ?? walk.stepId;
    const final = walk.unresolved === undefined || (best?.rank === RANK.explicit && stepId !== undefined);
    const changed = best !== entry.attribution || stepId !== entry.callStepId;
    entry.attribution = best;
    entry.callStepId = stepId;
    if (!final && walk.unresolved !== undefined) index.addPending(walk.unresolved, { calls: [callId] });
    if (final || changed) callLinks.push({ callId, stepId: stepId ?? null, worker: best?.name ?? null, final });
  }

  function evaluatedCallId(node: SpanNode): string | null {
    if (node.role.role === 'call') return node.key;
    if (node.parentKey === undefined) return null;
    const parent = nodes.get(node.parentKey);
    if (parent !== undefined) return parent.role.role === 'call' ? parent.key : null;
    return index?.get(node.parentKey)?.callId ?? null;
  }

  // Children that waited for a span of this batch.
  if (index !== undefined) {
    for (const node of nodes.values()) {
      const pending = index.takePending(node.key);
      if (pending === undefined || (pending.calls.length === 0 && pending.steps.length === 0)) continue;
      if (pending.calls.length > 0) {
        const walk = walkUp(node.key, node.span.traceId);
        for (const callId of pending.calls) linkWaitingCall(callId, walk);
      }
      if (pending.steps.length === 0) continue;
      const target: NearestStep = node.step !== undefined ? { stepId: node.step.id, worker: node.step.worker } : nearestStep(node.parentKey, node.span.traceId);
      if (target === null) continue;
      if ('unresolved' in target) {
        index.addPending(target.unresolved, { steps: pending.steps });
        continue;
      }
      for (const stepId of pending.steps) stepLinks.push({ stepId, parentStepId: target.stepId });
    }
    for (const node of nodes.values()) {
      const { span } = node;
      index.set(node.key, {
        traceId: span.traceId,
        runId: node.runId,
        parentSpanId: span.parentSpanId,
        stepId: node.step?.id,
        worker: node.step?.worker,
        attribution: node.attribution ?? (node.role.role === 'plain' ? attributionOf(span, span.name) : undefined),
        callId: node.role.role === 'call' ? node.key : undefined,
        callStepId: node.callStepId,
        plain:
          node.step === undefined && node.role.role === 'plain'
            ? { name: span.name, startedAt: span.startTimeMs, endedAt: span.endTimeMs, status: spanStatus(span.status.code), errorMessage: span.status.code === 2 ? span.status.message || null : null }
            : undefined,
      });
    }
  }

  return { batch: { runs: runsOf(nodes, source), steps, calls, scores }, rejected: 0, errors, callLinks, stepLinks };
}

/**
 * One RunRecord per run id in the batch. Name and status come from a root span when the batch has
 * one (else name from a workflow-name attribute, status 'unset'); times from root spans, else the
 * min/max over the run's spans. The store merges runs across batches (min start, max end, keep a
 * known name, take a status that is not 'unset').
 */
function runsOf(nodes: Map<string, SpanNode>, source: RecordSource): RunRecord[] {
  interface Acc { run: RunRecord; rootStart: number; rootEnd: number; minStart: number; maxEnd: number; hasRoot: boolean; attributes: Record<string, unknown> }
  const runs = new Map<string, Acc>();
  for (const { span, runId } of nodes.values()) {
    let acc = runs.get(runId);
    if (acc === undefined) {
      acc = {
        run: { id: runId, name: null, source, startedAt: span.startTimeMs, endedAt: span.endTimeMs, status: 'unset', serviceName: str(span.resource, KEYS.serviceName) ?? null, attributes: null },
        rootStart: Infinity,
        rootEnd: -Infinity,
        minStart: Infinity,
        maxEnd: -Infinity,
        hasRoot: false,
        attributes: {},
      };
      runs.set(runId, acc);
    }
    acc.minStart = Math.min(acc.minStart, span.startTimeMs);
    acc.maxEnd = Math.max(acc.maxEnd, span.endTimeMs);
    const a = span.attributes;
    const workflow = firstStr(a, KEYS.workflowName);
    if (span.parentSpanId === undefined) {
      // The earliest root names the run; any failed root fails it.
      if (!acc.hasRoot || span.startTimeMs < acc.rootStart) acc.run.name = workflow ?? span.name;
      acc.hasRoot = true;
      acc.rootStart = Math.min(acc.rootStart, span.startTimeMs);
      acc.rootEnd = Math.max(acc.rootEnd, span.endTimeMs);
      const status = spanStatus(span.status.code);
      if (acc.run.status !== 'error' && (status === 'error' || acc.run.status === 'unset')) acc.run.status = status;
    } else if (acc.run.name === null && workflow !== undefined) acc.run.name = workflow;
    acc.run.serviceName ??= str(span.resource, KEYS.serviceName) ?? null;
    const conversation = str(a, 'gen_ai.conversation.id') ?? str(a, 'session.id');
    if (conversation !== undefined) acc.attributes.conversationId ??= conversation;
  }
  const out: RunRecord[] = [];
  for (const acc of runs.values()) {
    acc.run.startedAt = acc.hasRoot ? acc.rootStart : acc.minStart;
    acc.run.endedAt = acc.hasRoot ? acc.rootEnd : acc.maxEnd;
    if (Object.keys(acc.attributes).length > 0) acc.run.attributes = acc.attributes;
    out.push(acc.run);
  }
  return out;
}
