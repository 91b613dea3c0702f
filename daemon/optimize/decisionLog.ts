// The decision log: every decision, autonomous or human, with its evidence, in `decisions`; plus
// the readable markdown export (the system documents its own changes).
import type Database from 'better-sqlite3';
import type { DecisionLogEntry } from '../../shared/domain';

interface Row {
  id: number;
  at: number;
  actor: 'flowtune' | 'human';
  action: string;
  recommendation_id: string | null;
  experiment_id: string | null;
  worker: string | null;
  summary: string;
  evidence: string;
}

export type DecisionInput = Omit<DecisionLogEntry, 'id' | 'at'> & { at?: number };

export function logDecision(db: Database.Database, entry: DecisionInput): DecisionLogEntry {
  const at = entry.at ?? Date.now();
  const info = db
    .prepare('INSERT INTO decisions (at, actor, action, recommendation_id, experiment_id, worker, summary, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(at, entry.actor, entry.action, entry.recommendationId, entry.experimentId, entry.worker, entry.summary, JSON.stringify(entry.evidence));
  return { ...entry, id: Number(info.lastInsertRowid), at };
}

export function listDecisions(db: Database.Database, options: { limit?: number; since?: number } = {}): DecisionLogEntry[] {
  const rows = db
    .prepare('SELECT * FROM decisions WHERE at >= ? ORDER BY at ASC, id ASC LIMIT ?')
    .all(options.since ?? 0, Math.max(1, Math.min(options.limit ?? 10_000, 100_000))) as Row[];
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    actor: r.actor,
    action: r.action,
    recommendationId: r.recommendation_id,
    experimentId: r.experiment_id,
    worker: r.worker,
    summary: r.summary,
    evidence: JSON.parse(r.evidence) as Record<string, unknown>,
  }));
}

function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_{}[\]<>|#])/g, '\\$1').replace(/\n/g, ' ');
}

/** The log as markdown: one section per decision, newest last, evidence as a compact JSON block. */
export function decisionsMarkdown(entries: readonly DecisionLogEntry[]): string {
  const lines = ['# Flowtune decision log', '', `${entries.length} decisions (${entries.filter((e) => e.actor === 'flowtune').length} autonomous, ${entries.filter((e) => e.actor === 'human').length} human).`, ''];
  for (const e of entries) {
    lines.push(`## ${new Date(e.at).toISOString()} — ${escapeMarkdown(e.action)}${e.worker ? ` (${escapeMarkdown(e.worker)})` : ''}`);
    lines.push('');
    lines.push(`- **by**: ${e.actor}`);
    lines.push(`- **what**: ${escapeMarkdown(e.summary)}`);
    if (e.recommendationId) lines.push(`- **recommendation**: \`${e.recommendationId}\``);
    if (e.experimentId) lines.push(`- **experiment**: \`${e.experimentId}\``);
    lines.push('', '```json', JSON.stringify(e.evidence, null, 2).replace(/```/g, '`\u200b``'), '```', '');
  }
  return lines.join('\n');
}
