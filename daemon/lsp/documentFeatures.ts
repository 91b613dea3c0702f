// The language features of one document, computed from the workspace anchors and the store facts:
// diagnostics at the cause, lenses with the worker's measurements, hovers with the evidence, and
// quick fixes that apply or dismiss a recommendation. Pure: no I/O, so tests need no editor.
import {
  CodeActionKind,
  DiagnosticSeverity,
  MarkupKind,
  type CodeAction,
  type CodeLens,
  type Diagnostic,
  type Hover,
  type Position,
  type Range,
} from 'vscode-languageserver';
import type { Recommendation, Severity } from '../../shared/domain';
import { ACCEPT_RECOMMENDATION_COMMAND, DISMISS_RECOMMENDATION_COMMAND, EXPLAIN_WORKER_COMMAND } from '../../shared/protocol';
import type { WorkerAggregate } from '../store/workerQueries';
import { contains, sharesLine, type Anchor } from './anchors';
import type { EditsByUri } from './recommendationEdits';
import type { OpenAnomaly, StoreFacts } from './storeFacts';

export const DIAGNOSTIC_SOURCE = 'flowtune';
export const SHOW_DASHBOARD_COMMAND = 'flowtune.showDashboard';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

export interface DiagnosticData {
  anomalyId?: string;
  recommendationId?: string;
}

export function documentDiagnostics(uri: string, anchors: Anchor[], facts: StoreFacts): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const anchor of anchors) {
    if (anchor.uri !== uri) continue;
    for (const anomaly of facts.anomalies) {
      if (anomaly.worker !== anchor.worker) continue;
      diagnostics.push({
        range: anchor.range,
        severity: SEVERITY[anomaly.severity],
        source: DIAGNOSTIC_SOURCE,
        code: anomaly.kind,
        message: anomaly.suspectedCause ? `${anomaly.title} — likely cause: ${anomaly.suspectedCause}` : anomaly.title,
        data: { anomalyId: anomaly.id } satisfies DiagnosticData,
      });
    }
    if (anchor.kind !== 'call' && anchor.kind !== 'config') continue;
    for (const recommendation of facts.recommendations) {
      if (recommendation.worker !== anchor.worker) continue;
      diagnostics.push({
        range: anchor.range,
        severity: DiagnosticSeverity.Information,
        source: DIAGNOSTIC_SOURCE,
        code: `recommendation:${recommendation.change.kind}`,
        message: `Recommendation: ${recommendation.title}${gainText(recommendation)}`,
        data: { recommendationId: recommendation.id } satisfies DiagnosticData,
      });
    }
  }
  return diagnostics;
}

export function documentCodeLenses(uri: string, anchors: Anchor[], facts: StoreFacts, untaggedCalls: Range[]): CodeLens[] {
  const lenses: CodeLens[] = [];
  for (const anchor of anchors) {
    if (anchor.uri !== uri || (anchor.kind !== 'call' && anchor.kind !== 'config')) continue;
    const at = { start: anchor.area.start, end: anchor.area.start };
    lenses.push({
      range: at,
      command: { title: metricsTitle(anchor.worker, facts.metrics.get(anchor.worker)), command: SHOW_DASHBOARD_COMMAND, arguments: [{ worker: anchor.worker }] },
    });
    const open = facts.recommendations.filter((recommendation) => recommendation.worker === anchor.worker).length;
    if (open > 0) {
      lenses.push({
        range: at,
        command: { title: `${open} open recommendation${open === 1 ? '' : 's'}`, command: SHOW_DASHBOARD_COMMAND, arguments: [{ worker: anchor.worker }] },
      });
    }
    lenses.push({ range: at, command: { title: EXPLAIN_LENS_TITLE, command: EXPLAIN_WORKER_COMMAND, arguments: [anchor.worker] } });
  }
  for (const range of untaggedCalls) {
    lenses.push({
      range: { start: range.start, end: range.start },
      command: { title: 'Flowtune: add an x-flowtune-worker header to measure this call per worker', command: SHOW_DASHBOARD_COMMAND, arguments: [] },
    });
  }
  return lenses;
}

export const EXPLAIN_LENS_TITLE = 'Explain this worker';

/** A markdown link that runs "Explain this worker" for a worker (the client trusts this one command). */
export function explainWorkerLink(worker: string): string {
  // encodeURIComponent leaves ( ) ' ! * alone; a ")" would end the markdown link early.
  const args = encodeURIComponent(JSON.stringify([worker])).replace(/[()'!*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `[Explain this worker](command:${EXPLAIN_WORKER_COMMAND}?${args})`;
}

export function metricsTitle(worker: string, metrics: WorkerAggregate | undefined): string {
  if (!metrics || metrics.calls === 0) return `Flowtune · ${worker}: no calls recorded in 7 days`;
  const parts = [
    `p95 ${metrics.latencyP95Ms === null ? '–' : formatMs(metrics.latencyP95Ms)}`,
    `${formatUsd(metrics.costPerCall)}/call`,
    `quality ${metrics.quality === null ? '–' : metrics.quality.toFixed(2)}`,
    `${metrics.calls} calls`,
  ];
  if (metrics.errors > 0) parts.push(`${((metrics.errors / metrics.calls) * 100).toFixed(1)}% errors`);
  return `Flowtune · ${worker}: ${parts.join(' · ')}`;
}

export function documentHover(uri: string, position: Position, anchors: Anchor[], facts: StoreFacts): Hover | null {
  const here = anchors.filter((anchor) => anchor.uri === uri && contains(anchor.area, position));
  if (here.length === 0) return null;
  const worker = here[0].worker;
  const sections: string[] = [`**Flowtune · ${worker}** — ${metricsTitle(worker, facts.metrics.get(worker)).split(': ').slice(1).join(': ')}`];
  for (const anomaly of facts.anomalies.filter((a) => a.worker === worker)) sections.push(anomalyMarkdown(anomaly));
  for (const recommendation of facts.recommendations.filter((r) => r.worker === worker)) sections.push(recommendationMarkdown(recommendation));
  sections.push(explainWorkerLink(worker));
  return { contents: { kind: MarkupKind.Markdown, value: sections.join('\n\n---\n\n') }, range: here[0].range };
}

export function documentCodeActions(
  uri: string,
  range: Range,
  anchors: Anchor[],
  facts: StoreFacts,
  diagnostics: Diagnostic[],
  editsFor: (recommendation: Recommendation) => EditsByUri | null,
): CodeAction[] {
  const workers = new Set(anchors.filter((anchor) => anchor.uri === uri && sharesLine(anchor.area, range)).map((anchor) => anchor.worker));
  const actions: CodeAction[] = [];
  for (const recommendation of facts.recommendations) {
    if (recommendation.worker === null || !workers.has(recommendation.worker)) continue;
    const related = diagnostics.filter((d) => (d.data as DiagnosticData | undefined)?.recommendationId === recommendation.id);
    const edits = editsFor(recommendation);
    if (edits) {
      actions.push({
        title: `Apply: ${recommendation.title}`,
        kind: CodeActionKind.QuickFix,
        isPreferred: true,
        diagnostics: related,
        edit: { changes: edits },
        command: { title: 'Record acceptance', command: ACCEPT_RECOMMENDATION_COMMAND, arguments: [recommendation.id] },
      });
    }
    actions.push({
      title: `Dismiss: ${recommendation.title}`,
      kind: CodeActionKind.QuickFix,
      diagnostics: related,
      command: { title: 'Dismiss recommendation', command: DISMISS_RECOMMENDATION_COMMAND, arguments: [recommendation.id] },
    });
  }
  return actions;
}

function anomalyMarkdown(anomaly: OpenAnomaly): string {
  const lines = [`**${anomaly.severity.toUpperCase()}** ${escapeMarkdown(anomaly.title)}`];
  if (anomaly.baseline !== null && anomaly.current !== null) lines.push(`baseline ${round(anomaly.baseline)} → now ${round(anomaly.current)}`);
  if (anomaly.suspectedCause) lines.push(`likely cause: ${escapeMarkdown(anomaly.suspectedCause)}`);
  lines.push(`since ${new Date(anomaly.beganAt).toISOString()}`);
  return lines.join('  \n') + evidenceList(anomaly.evidence);
}

function recommendationMarkdown(recommendation: Recommendation): string {
  const lines = [
    `**Recommendation** ${escapeMarkdown(recommendation.title)}`,
    `${escapeMarkdown(recommendation.expectedGain.description || recommendation.expectedGain.metric)} · confidence ${(recommendation.confidence * 100).toFixed(0)}%`,
  ];
  return lines.join('  \n') + evidenceList(recommendation.evidence);
}

function evidenceList(evidence: Record<string, unknown>): string {
  const entries = Object.entries(evidence).slice(0, 8);
  if (entries.length === 0) return '';
  return '\n\n' + entries.map(([key, value]) => `- ${escapeMarkdown(key)}: \`${valueText(value)}\``).join('\n');
}

function valueText(value: unknown): string {
  const text = typeof value === 'number' ? String(round(value)) : typeof value === 'string' ? value : JSON.stringify(value);
  return (text ?? '').replace(/`/g, "'").slice(0, 160);
}

function gainText(recommendation: Recommendation): string {
  return recommendation.expectedGain.description ? ` (${recommendation.expectedGain.description})` : '';
}

function round(value: number): number {
  return Math.abs(value) >= 100 ? Math.round(value) : Number(value.toPrecision(3));
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

export function formatUsd(usd: number): string {
  if (usd === 0) return '$0';
  return usd >= 0.01 ? `$${usd.toFixed(3)}` : `$${usd.toPrecision(2)}`;
}

function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_{}[\]<>#|])/g, '\\$1');
}
