// Offsets to LSP positions (0-based line and UTF-16 character), and the scanning primitive the
// source and config locators share: skipping over string literals and comments.

export interface Position {
  line: number;
  character: number;
}

export interface TextRange {
  start: Position;
  end: Position;
}

/** A literal found in text: its value and the range of the value (inside the quotes for strings). */
export interface LiteralSpan {
  value: string;
  range: TextRange;
}

export class TextIndex {
  private readonly lineStarts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  positionAt(offset: number): Position {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low, character: offset - this.lineStarts[low] };
  }

  rangeOf(start: number, end: number): TextRange {
    return { start: this.positionAt(start), end: this.positionAt(end) };
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  /** The range covering a whole line without its line break. */
  lineRange(line: number): TextRange {
    const clamped = Math.max(0, Math.min(line, this.lineStarts.length - 1));
    const start = this.lineStarts[clamped];
    const next = clamped + 1 < this.lineStarts.length ? this.lineStarts[clamped + 1] - 1 : this.text.length;
    return this.rangeOf(start, Math.max(start, next));
  }

  /** The range of the whole text. */
  fullRange(): TextRange {
    return this.rangeOf(0, this.text.length);
  }
}

/**
 * The offset just after the bracket that closes the one at `open` (`(`, `[` or `{`), skipping strings and
 * comments (`//`, `/* *\/` and Python's `#`); -1 when unbalanced.
 */
export function matchingBracket(text: string, open: number, hashComments: boolean): number {
  const closers: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
  const stack: string[] = [];
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' || ch === "'" || ch === '`') {
      i = skipString(text, i);
      continue;
    }
    if (ch === '/' && text[i + 1] === '/') {
      i = endOfLine(text, i);
      continue;
    }
    if (ch === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? text.length : close + 1;
      continue;
    }
    if (hashComments && ch === '#') {
      i = endOfLine(text, i);
      continue;
    }
    if (closers[ch]) stack.push(closers[ch]);
    else if (ch === ')' || ch === ']' || ch === '}') {
      if (stack.pop() !== ch) return -1;
      if (stack.length === 0) return i + 1;
    }
  }
  return -1;
}

/** Index of the closing quote of the string starting at `start` (Python triple quotes included). */
export function skipString(text: string, start: number): number {
  const quote = text[start];
  if (quote !== '`' && text.startsWith(quote.repeat(3), start)) {
    const close = text.indexOf(quote.repeat(3), start + 3);
    return close < 0 ? text.length : close + 2;
  }
  for (let i = start + 1; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') i++;
    else if (ch === quote) return i;
    else if (ch === '\n' && quote !== '`') return i;
  }
  return text.length;
}

function endOfLine(text: string, from: number): number {
  const newline = text.indexOf('\n', from);
  return newline < 0 ? text.length : newline;
}
