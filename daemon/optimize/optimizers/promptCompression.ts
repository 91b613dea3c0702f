// Prompt compression of a worker's static system prompt. Rules first (always available): collapse
// runs of whitespace, drop sentences and lines that repeat an earlier one, drop filler phrases. When
// a rewriter model is configured the cycle may replace the rule-made text with the model's (see
// compressWithModel); either way the variant is tested before it ships, quality as the guardrail.
import { createHash } from 'node:crypto';
import type OpenAI from 'openai';
import { changeKey, type Measurements, type Optimizer, type Proposal, type WorkerMeasurements } from '../optimizer';

const MIN_SAVED_CHARS = 40;
const MIN_SAVED_SHARE = 0.1;
const CHARS_PER_TOKEN = 4;

const FILLER = [/\bplease\s+/gi, /\bmake sure (that )?(to )?/gi, /\bit is (very )?important that\s+/gi, /\bremember to\s+/gi, /\bkindly\s+/gi];

function normalizeSentence(sentence: string): string {
  return sentence.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
}

/** Rule-based compression; returns the input unchanged when no rule applies. */
export function compressPromptByRules(prompt: string): string {
  const seen = new Set<string>();
  const lines = prompt.split(/\n/);
  const kept: string[] = [];
  for (const line of lines) {
    const text = line.replace(/[ \t]+/g, ' ').trim();
    // Sentence-level de-duplication across the whole prompt (repeated instructions, pasted twice).
    const sentences = text.match(/[^.!?]+[.!?]*\s*/g) ?? [];
    const unique: string[] = [];
    for (const raw of sentences) {
      let sentence = raw.trim();
      const startsWithFiller = FILLER.some((f) => {
        f.lastIndex = 0;
        return f.test(sentence.slice(0, 30)) && sentence.search(f) === 0;
      });
      for (const filler of FILLER) sentence = sentence.replace(filler, '');
      sentence = sentence.trim();
      if (startsWithFiller) sentence = sentence.charAt(0).toUpperCase() + sentence.slice(1);
      const key = normalizeSentence(sentence);
      if (key.length === 0 || seen.has(key)) continue;
      seen.add(key);
      unique.push(sentence);
    }
    const joined = unique.join(' ').trim();
    if (joined.length === 0) {
      if (kept.length > 0 && kept[kept.length - 1] !== '') kept.push('');
      continue;
    }
    kept.push(joined);
  }
  while (kept.length > 0 && kept[kept.length - 1] === '') kept.pop();
  return kept.join('\n');
}

export function variantIdFor(worker: string, text: string): string {
  const safe = worker.replace(/[^A-Za-z0-9._:-]/g, '-').slice(0, 30);
  return `ft-compress-${safe}-${createHash('sha256').update(text).digest('hex').slice(0, 8)}`;
}

export function compressionProposal(w: WorkerMeasurements, m: Measurements, compressed: string, method: 'rules' | 'model'): Proposal | null {
  const original = w.systemPrompt;
  if (!original) return null;
  const saved = original.length - compressed.length;
  if (saved < MIN_SAVED_CHARS || saved / original.length < MIN_SAVED_SHARE) return null;
  const id = variantIdFor(w.worker, compressed);
  const change = { kind: 'prompt' as const, from: 'app system prompt', to: id, details: { method, saved_chars: saved } };
  if (m.triedKeys.has(changeKey(w.worker, change))) return null;
  const savedTokens = Math.floor(saved / CHARS_PER_TOKEN);
  const price = w.primaryModel ? m.priceOf(w.primaryModel) : null;
  const savedPerCall = price ? savedTokens * price.inputPerToken : 0;
  const relative = w.costPerCall > 0 ? -savedPerCall / w.costPerCall : 0;
  return {
    optimizer: 'prompt_compression',
    worker: w.worker,
    title: `${w.worker}: compressed system prompt (${original.length} → ${compressed.length} characters, ${method})`,
    change,
    evidence: {
      method,
      original_chars: original.length,
      compressed_chars: compressed.length,
      saved_tokens_per_call: savedTokens,
      calls: w.calls,
      original_prompt: original,
      compressed_prompt: compressed,
    },
    expectedGain: { metric: 'cost', relative, description: `about ${savedTokens} fewer input tokens per call ($${savedPerCall.toPrecision(3)} per call)` },
    confidence: 0.5,
    test: { method: 'replay', primaryMetric: 'cost' },
    apply: {
      promptVariant: { id, systemPrompt: compressed, description: `${method}-compressed system prompt of ${w.worker}` },
      override: { prompt_variant: id },
      edit: { kind: 'code', comment: `compressed system prompt (${method}):\n${compressed}` },
    },
  };
}

export const promptCompressionOptimizer: Optimizer = {
  name: 'prompt_compression',
  propose(m) {
    return m.workers
      .filter((w) => w.systemPrompt !== null && w.override?.prompt_variant === undefined && w.override?.split === undefined)
      .map((w) => compressionProposal(w, m, compressPromptByRules(w.systemPrompt as string), 'rules'))
      .filter((p): p is Proposal => p !== null);
  },
};

/** Asks the configured rewriter model for a shorter prompt with the same instructions (structured output). */
export async function compressWithModel(client: OpenAI, model: string, prompt: string): Promise<string | null> {
  const completion = await client.chat.completions.create({
    model,
    temperature: 0,
    messages: [
      {
        role: 'system',
        content:
          'You compress system prompts. Keep every instruction, constraint, output format and example that changes behaviour; remove repetition, filler and redundant wording. Answer in JSON.',
      },
      { role: 'user', content: prompt },
    ],
    response_format: {
      type: 'json_schema',
      json_schema: {
        name: 'compressed_prompt',
        strict: true,
        schema: { type: 'object', properties: { prompt: { type: 'string' } }, required: ['prompt'], additionalProperties: false },
      },
    },
  });
  const text = completion.choices[0]?.message.content ?? '';
  try {
    const parsed = JSON.parse(text) as { prompt?: unknown };
    return typeof parsed.prompt === 'string' && parsed.prompt.trim().length > 0 ? parsed.prompt.trim() : null;
  } catch {
    return null;
  }
}
