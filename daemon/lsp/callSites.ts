// Finding LLM call sites in TypeScript, JavaScript and Python source: the client call
// (`chat.completions.create`, `responses.create`) and, inside its arguments, the model, the
// `x-flowtune-worker` header and max_tokens literals. A text scan, not a parser: robust to code that
// does not compile, and fast enough to run on every keystroke of an open file.
import { matchingBracket, TextIndex, type LiteralSpan, type TextRange } from './textPositions';

export type SourceLanguage = 'typescript' | 'javascript' | 'python';

export interface CallSite {
  language: SourceLanguage;
  callee: 'chat.completions.create' | 'responses.create';
  /** From the callee's first character to the closing parenthesis. */
  range: TextRange;
  /** The callee name only (`chat.completions.create`), where diagnostics underline. */
  calleeRange: TextRange;
  model: LiteralSpan | null;
  worker: LiteralSpan | null;
  maxTokens: LiteralSpan | null;
}

const CALLEE = /\b(chat\.completions\.create|responses\.create)\s*\(/g;
const STRING_VALUE = String.raw`(['"\x60])([^'"\x60\n]*)\1`;
const MODEL = new RegExp(String.raw`(?:\bmodel|["']model["'])\s*[:=]\s*` + STRING_VALUE);
const WORKER = new RegExp(String.raw`["']x-flowtune-worker["']\s*:\s*` + STRING_VALUE, 'i');
const MAX_TOKENS = /(?:\b|["'])(?:max_tokens|max_output_tokens|max_completion_tokens)["']?\s*[:=]\s*(\d+)/;

export function languageOf(fileName: string): SourceLanguage | null {
  const lower = fileName.toLowerCase();
  if (/\.(ts|tsx|mts|cts)$/.test(lower)) return 'typescript';
  if (/\.(js|jsx|mjs|cjs)$/.test(lower)) return 'javascript';
  if (lower.endsWith('.py')) return 'python';
  return null;
}

/** Every client call in the text, in order. */
export function findCallSites(text: string, language: SourceLanguage): CallSite[] {
  if (!text.includes('.create')) return [];
  const index = new TextIndex(text);
  const sites: CallSite[] = [];
  for (const match of text.matchAll(CALLEE)) {
    const calleeStart = match.index;
    const openParen = calleeStart + match[0].length - 1;
    const close = matchingBracket(text, openParen, language === 'python');
    const end = close < 0 ? Math.min(text.length, openParen + 2000) : close;
    const args = text.slice(openParen, end);
    sites.push({
      language,
      callee: match[1] as CallSite['callee'],
      range: index.rangeOf(calleeStart, end),
      calleeRange: index.rangeOf(calleeStart, calleeStart + match[1].length),
      model: stringLiteral(args, MODEL, openParen, index),
      worker: stringLiteral(args, WORKER, openParen, index),
      maxTokens: numberLiteral(args, MAX_TOKENS, openParen, index),
    });
  }
  return sites;
}

function stringLiteral(args: string, pattern: RegExp, base: number, index: TextIndex): LiteralSpan | null {
  const match = pattern.exec(args);
  if (!match) return null;
  const valueStart = base + match.index + match[0].length - 1 - match[2].length;
  return { value: match[2], range: index.rangeOf(valueStart, valueStart + match[2].length) };
}

function numberLiteral(args: string, pattern: RegExp, base: number, index: TextIndex): LiteralSpan | null {
  const match = pattern.exec(args);
  if (!match) return null;
  const valueStart = base + match.index + match[0].length - match[1].length;
  return { value: match[1], range: index.rangeOf(valueStart, valueStart + match[1].length) };
}
