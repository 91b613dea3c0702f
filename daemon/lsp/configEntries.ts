// Locating each worker's entry in flowtune.config.json text, with the positions of the properties a
// quick fix edits (model, max_tokens, prompt_file, depends_on). Only the entry's own top-level keys
// count: an llm-rubric evaluator's nested "model" is not the worker's model.
import { matchingBracket, skipString, TextIndex, type LiteralSpan, type TextRange } from './textPositions';

export interface WorkerEntry {
  name: string;
  /** The name's value, where diagnostics underline and lenses sit. */
  nameRange: TextRange;
  /** The whole `{ … }` object. */
  range: TextRange;
  /** Offset just after the name literal's closing quote: where a new property can be inserted. */
  insertAfterName: TextRange;
  model: LiteralSpan | null;
  maxTokens: LiteralSpan | null;
  promptFile: LiteralSpan | null;
  /** The `[ … ]` of depends_on and its values. */
  dependsOn: { values: string[]; range: TextRange } | null;
  hasCache: boolean;
}

/** Worker entries in the order they appear; an unparsable file yields what could be found. */
export function findWorkerEntries(text: string): WorkerEntry[] {
  const workers = /"workers"\s*:\s*\[/.exec(text);
  if (!workers) return [];
  const arrayOpen = workers.index + workers[0].length - 1;
  const arrayEnd = matchingBracket(text, arrayOpen, false);
  const limit = arrayEnd < 0 ? text.length : arrayEnd;
  const index = new TextIndex(text);
  const entries: WorkerEntry[] = [];
  for (let i = arrayOpen + 1; i < limit; i++) {
    const ch = text[i];
    if (ch === '"') {
      i = skipString(text, i);
      continue;
    }
    if (ch !== '{') continue;
    const close = matchingBracket(text, i, false);
    if (close < 0) break;
    const entry = readEntry(text, i, close, index);
    if (entry) entries.push(entry);
    i = close - 1;
  }
  return entries;
}

function readEntry(text: string, open: number, close: number, index: TextIndex): WorkerEntry | null {
  const own = maskNested(text.slice(open, close));
  const name = stringProperty(own, 'name', open, index);
  if (!name) return null;
  const nameEnd = name.endOffset + 1; // after the closing quote
  const dependsMatch = /"depends_on"\s*:\s*\[/.exec(own);
  let dependsOn: WorkerEntry['dependsOn'] = null;
  if (dependsMatch) {
    const bracket = open + dependsMatch.index + dependsMatch[0].length - 1;
    const end = matchingBracket(text, bracket, false);
    if (end > 0) {
      let values: string[] = [];
      try {
        const parsed: unknown = JSON.parse(text.slice(bracket, end));
        if (Array.isArray(parsed)) values = parsed.filter((v): v is string => typeof v === 'string');
      } catch {
        values = [];
      }
      dependsOn = { values, range: index.rangeOf(bracket, end) };
    }
  }
  const maxTokens = /"max_tokens"\s*:\s*(\d+)/.exec(own);
  return {
    name: name.value,
    nameRange: name.range,
    range: index.rangeOf(open, close),
    insertAfterName: index.rangeOf(nameEnd, nameEnd),
    model: literal(stringProperty(own, 'model', open, index)),
    maxTokens: maxTokens
      ? {
          value: maxTokens[1],
          range: index.rangeOf(open + maxTokens.index + maxTokens[0].length - maxTokens[1].length, open + maxTokens.index + maxTokens[0].length),
        }
      : null,
    promptFile: literal(stringProperty(own, 'prompt_file', open, index)),
    dependsOn,
    hasCache: /"cache"\s*:/.test(own),
  };
}

function stringProperty(own: string, key: string, base: number, index: TextIndex): (LiteralSpan & { endOffset: number }) | null {
  const match = new RegExp(`"${key}"\\s*:\\s*"((?:[^"\\\\\\n]|\\\\.)*)"`).exec(own);
  if (!match) return null;
  const valueStart = base + match.index + match[0].length - 1 - match[1].length;
  let value = match[1];
  try {
    value = JSON.parse(`"${match[1]}"`) as string;
  } catch {
    // keep the raw text
  }
  return { value, range: index.rangeOf(valueStart, valueStart + match[1].length), endOffset: valueStart + match[1].length };
}

function literal(found: (LiteralSpan & { endOffset: number }) | null): LiteralSpan | null {
  return found ? { value: found.value, range: found.range } : null;
}

/** The object's text with everything nested deeper than its own keys blanked out (same length). */
function maskNested(objectText: string): string {
  const out = objectText.split('');
  let depth = 0;
  for (let i = 0; i < objectText.length; i++) {
    const ch = objectText[i];
    if (ch === '"') {
      const end = skipString(objectText, i);
      if (depth > 1) for (let j = i; j <= end && j < out.length; j++) out[j] = ' ';
      i = end;
      continue;
    }
    if (ch === '{' || ch === '[') {
      depth++;
      if (depth > 1 && !(ch === '[' && depth === 2)) out[i] = ' ';
      continue;
    }
    if (ch === '}' || ch === ']') {
      if (depth > 1 && !(ch === ']' && depth === 2)) out[i] = ' ';
      depth--;
      continue;
    }
    if (depth > 1) out[i] = out[i] === '\n' ? '\n' : ' ';
  }
  return out.join('');
}
