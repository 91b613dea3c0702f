// Where a recommendation's edit goes: at the call site when the calls carry source_file/line, else
// in the worker's entry of flowtune.config.json. Produces the SuggestedEdit the editor applies.
import type { SuggestedEdit } from '../../shared/domain';
import type { EditTarget } from './optimizer';

function position(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** The [start, end) offsets of the JSON object of the worker's entry in the config text. */
export function workerEntryRange(configText: string, worker: string): [number, number] | null {
  const namePattern = new RegExp(`"name"\\s*:\\s*${JSON.stringify(worker).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
  const match = namePattern.exec(configText);
  if (!match) return null;
  // Walk back to the enclosing '{' and forward to its matching '}' (strings skipped).
  let depth = 0;
  let start = -1;
  for (let i = match.index; i >= 0; i--) {
    const c = configText[i];
    if (c === '}') depth++;
    else if (c === '{') {
      if (depth === 0) {
        start = i;
        break;
      }
      depth--;
    }
  }
  if (start < 0) return null;
  depth = 0;
  let inString = false;
  for (let i = start; i < configText.length; i++) {
    const c = configText[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return [start, i + 1];
    }
  }
  return null;
}

/** The span of a top-level value of `key` inside the entry, when present. */
function valueSpan(text: string, range: [number, number], key: string): [number, number] | null {
  const entry = text.slice(range[0], range[1]);
  const keyMatch = new RegExp(`"${key}"\\s*:\\s*`).exec(entry);
  if (!keyMatch) return null;
  const valueStart = range[0] + keyMatch.index + keyMatch[0].length;
  let depth = 0;
  let inString = false;
  for (let i = valueStart; i < range[1]; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      if (depth === 0) return [valueStart, i];
      depth--;
    } else if (c === ',' && depth === 0) return [valueStart, i];
  }
  return null;
}

export function configEdit(configText: string, configFile: string, worker: string, key: string, value: unknown): SuggestedEdit | null {
  const range = workerEntryRange(configText, worker);
  if (!range) return null;
  const span = valueSpan(configText, range, key);
  if (span) {
    let end = span[1];
    while (end > span[0] && /\s/.test(configText[end - 1])) end--;
    return { file: configFile, range: { start: position(configText, span[0]), end: position(configText, end) }, newText: JSON.stringify(value) };
  }
  // Insert right after the opening brace of the entry.
  const at = range[0] + 1;
  const entryIndent = /\n([ \t]*)"/.exec(configText.slice(range[0], range[1]))?.[1] ?? ' ';
  const text = `\n${entryIndent}${JSON.stringify(key)}: ${JSON.stringify(value)},`;
  return { file: configFile, range: { start: position(configText, at), end: position(configText, at) }, newText: text };
}

export function codeEdit(source: { file: string; line: number }, comment: string): SuggestedEdit {
  const line = Math.max(0, source.line - 1);
  const text = comment
    .split('\n')
    .map((l) => `// ${l}`)
    .join('\n');
  return { file: source.file, range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: `${text}\n` };
}

export function locateEdit(
  target: EditTarget | undefined,
  worker: string | null,
  source: { file: string; line: number } | null,
  config: { text: string; file: string } | null,
): SuggestedEdit | null {
  if (!target || !worker) return null;
  if (target.kind === 'code') {
    if (source) return codeEdit(source, target.comment);
    return config ? configEdit(config.text, config.file, worker, 'flowtune_recommendation', target.comment) : null;
  }
  if (source && !config) return codeEdit(source, `flowtune: set ${target.key} = ${JSON.stringify(target.value)}`);
  return config ? configEdit(config.text, config.file, worker, target.key, target.value) : null;
}
