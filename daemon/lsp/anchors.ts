// Where a worker lives in the workspace: its call sites, its config entry, its prompt file and any
// recorded source line that matched no scanned call. Diagnostics, lenses, hovers and quick fixes
// all hang off these anchors.
import { fileURLToPath } from 'node:url';
import type { TextRange } from './textPositions';
import { TextIndex } from './textPositions';
import type { WorkspaceSnapshot } from './workspaceIndex';

export type AnchorKind = 'call' | 'config' | 'prompt' | 'recorded';

export interface Anchor {
  kind: AnchorKind;
  uri: string;
  worker: string;
  /** What a diagnostic underlines. */
  range: TextRange;
  /** Where hovers and quick fixes apply (the whole call, the whole entry). */
  area: TextRange;
}

export function workspaceAnchors(workspace: WorkspaceSnapshot, readText: (file: string) => string | null): Anchor[] {
  const anchors: Anchor[] = [];
  for (const { uri, site, worker } of workspace.callSites) {
    if (worker) anchors.push({ kind: 'call', uri, worker, range: site.calleeRange, area: site.range });
  }
  if (workspace.config) {
    for (const entry of workspace.config.entries) {
      anchors.push({ kind: 'config', uri: workspace.config.uri, worker: entry.name, range: entry.nameRange, area: entry.range });
    }
  }
  for (const [uri, { worker, file }] of workspace.promptFiles) {
    const text = readText(file);
    if (text === null) continue;
    const firstLine = new TextIndex(text).lineRange(0);
    anchors.push({ kind: 'prompt', uri, worker, range: firstLine, area: new TextIndex(text).fullRange() });
  }
  for (const stray of workspace.strayAttributions) {
    const text = readText(fileURLToPath(stray.uri));
    if (text === null) continue;
    const line = new TextIndex(text).lineRange(stray.line === null ? 0 : stray.line - 1);
    anchors.push({ kind: 'recorded', uri: stray.uri, worker: stray.worker, range: line, area: line });
  }
  return anchors;
}

export function contains(range: TextRange, position: { line: number; character: number }): boolean {
  const afterStart = position.line > range.start.line || (position.line === range.start.line && position.character >= range.start.character);
  const beforeEnd = position.line < range.end.line || (position.line === range.end.line && position.character <= range.end.character);
  return afterStart && beforeEnd;
}

/** Whether two ranges share a line: a cursor anywhere on a call's lines asks for its quick fixes. */
export function sharesLine(a: TextRange, b: TextRange): boolean {
  return a.start.line <= b.end.line && b.start.line <= a.end.line;
}
