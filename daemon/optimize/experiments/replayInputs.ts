// Recorded inputs of a worker worth replaying: successful chat calls with their full messages,
// one per distinct input, the most recent first, in a deterministic shuffled order.
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { ChatMessage, ReplayInput } from './pairedReplay';

export function loadReplayInputs(db: Database.Database, worker: string, limit: number): ReplayInput[] {
  const rows = db
    .prepare(
      `SELECT id, input_text FROM calls WHERE worker = ? AND status = 'ok' AND operation = 'chat' AND content_mode = 'full'
       AND input_text IS NOT NULL AND COALESCE(cache_hit, 0) = 0 ORDER BY started_at DESC LIMIT ?`,
    )
    .all(worker, limit * 10) as Array<{ id: string; input_text: string }>;
  const seen = new Set<string>();
  const inputs: Array<ReplayInput & { order: string }> = [];
  for (const row of rows) {
    let messages: ChatMessage[];
    try {
      messages = JSON.parse(row.input_text) as ChatMessage[];
    } catch {
      continue;
    }
    if (!Array.isArray(messages) || messages.length === 0) continue;
    const digest = createHash('sha256').update(row.input_text).digest('hex');
    if (seen.has(digest)) continue;
    seen.add(digest);
    inputs.push({ callId: row.id, messages, order: digest });
    if (inputs.length >= limit) break;
  }
  // Hash order: deterministic, and not biased toward the newest inputs within the sample.
  return inputs.sort((a, b) => a.order.localeCompare(b.order)).map(({ callId, messages }) => ({ callId, messages }));
}
