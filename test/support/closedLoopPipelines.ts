// The two pipelines the closed loop is measured on, each against its own simulated provider:
// the helpdesk pipeline on the Lumen provider (test/support/helpdeskProvider.ts), and the demo's
// content pipeline on the demo provider (daemon/demo/simulatedProvider.ts) — there with the
// application posting its evaluators' score for every call, as the issue's new user did.
import { DEMO_WORKERS, outlineQuality, PROMPTS, readerRating, TOPICS } from '../../daemon/demo/demoPipeline';
import { seededRandom } from '../../daemon/demo/simulatedProvider';
import { scoreRule, type RuleEvaluator } from '../../daemon/optimize/evaluators/ruleEvaluators';
import { compressPromptByRules } from '../../daemon/optimize/optimizers/promptCompression';
import type { PriceTable } from '../../daemon/pricing/priceTable';
import type { LoopPipeline, LoopStep } from './closedLoop';
import { customerRating, LUMEN_PRICES, nonLatin, share } from './helpdeskProvider';

const TICKETS = [
  'I was charged twice for the March invoice',
  'The export button does nothing in Firefox',
  'How do I change the account owner?',
  'Please add dark mode to the dashboard',
  '請求書が二重に発行されました',
  'Η εφαρμογή κολλάει κατά την εκκίνηση',
  'Не могу войти в аккаунт после смены пароля',
  'The API returns 500 on large uploads',
  'Can I get a refund for the unused seats?',
  'Webhooks arrive out of order',
];

/** Long, static and repetitive, as support prompts grow: compression has something to find. */
const SUMMARIZE_SYSTEM =
  'You summarize support tickets for the weekly report. Please make sure to write one sentence.\n' +
  'It is very important that you write one sentence. Write one sentence that says what the customer reports.   Do not add greetings.\n' +
  'Remember to keep it short. Keep it short. Keep it short.\nPlease make sure to write one sentence. Do not add greetings. Do not add greetings.\n' +
  'You summarize support tickets for the weekly report. Kindly use plain words.';

export function helpdeskPipeline(): LoopPipeline {
  const ticketOf = (input: string) => /ticket:\s*([^\n]+)/.exec(input)?.[1] ?? input;
  const steps: LoopStep[] = [
    {
      worker: 'triage',
      settings: { model: 'lumen-pro', temperature: 0, system: 'You triage support tickets. Answer with one label: billing, bug, account or feature.' },
      user: (input) => input,
      feedback: (out) => ({ quality: ['billing', 'bug', 'account', 'feature'].includes(out.trim()) ? 1 : 0 }),
    },
    {
      worker: 'extract',
      settings: { model: 'lumen-pro', temperature: 0, system: 'You extract a JSON record {customer, product, severity} from a ticket.' },
      user: (input) => `Extract the record. ${input}`,
      feedback: (out) => {
        try {
          const r = JSON.parse(out) as Record<string, unknown>;
          return { quality: ['customer', 'product', 'severity'].filter((k) => k in r).length / 3 };
        } catch {
          return { quality: 0 };
        }
      },
    },
    {
      worker: 'translate',
      settings: { model: 'lumen-pro', temperature: 0, system: 'You translate a ticket into English for the support team.' },
      user: (input) => `Translate. ${input}`,
      feedback: (out) => ({ quality: out.startsWith('EN:') ? 1 : 0 }),
    },
    {
      worker: 'reply',
      settings: { model: 'lumen-pro', temperature: 0.7, system: 'You draft a friendly support reply to the customer.' },
      user: (input, earlier) => `Draft the reply. ${input}\nTranslation: ${earlier.translate ?? ''}`,
      feedback: (_out, input, served) => ({ rating: customerRating(served, ticketOf(input)) }),
    },
    {
      worker: 'summarize',
      settings: { model: 'lumen-pro', temperature: 0, maxTokens: 2000, system: SUMMARIZE_SYSTEM },
      user: (input) => `Summarize. ${input}`,
      feedback: (out) => ({ quality: out.startsWith('Summary:') && out.length < 400 ? 1 : 0.3 }),
    },
  ];
  return {
    name: 'helpdesk',
    steps,
    // About a third of tickets are sent again verbatim (customers re-send): the triage step repeats itself.
    input: (i) => {
      const repeat = share(String(i), 'repeat') < 0.35 && i > 10;
      const n = repeat ? Math.floor(share(String(i), 'which') * i) : i;
      return `ticket: ${TICKETS[n % TICKETS.length]} (#${n})`;
    },
    optimum: {
      triage: { ...steps[0].settings, model: 'lumen-nano', cache: true },
      extract: { ...steps[1].settings, model: 'lumen-lite', cache: true },
      translate: { ...steps[2].settings, cache: true },
      reply: steps[3].settings,
      summarize: { ...steps[4].settings, model: 'lumen-nano', maxTokens: 64, system: compressPromptByRules(SUMMARIZE_SYSTEM), cache: true },
    },
    price: (model, usage) => {
      const p = LUMEN_PRICES[model];
      return p ? usage.prompt_tokens * p.input + usage.completion_tokens * p.output : 0;
    },
  };
}

/** The demo's pipeline, flattened to one call per worker per run, its evaluators posted as quality. */
export function contentPipeline(prices: PriceTable): LoopPipeline {
  const evaluatorsOf = (name: string) => (DEMO_WORKERS.find((w) => w.name === name)?.evaluators ?? []).filter((e): e is RuleEvaluator => e.type !== 'llm-rubric');
  const ruleScore = (name: string) => (out: string) => {
    const rules = evaluatorsOf(name);
    return { quality: rules.reduce((s, e) => s + scoreRule(e, out).value, 0) / Math.max(1, rules.length) };
  };
  const random = seededRandom(5);
  const topicOf = (input: string) => /topic: ([^\n]+)/.exec(input)?.[1] ?? '';
  const steps: LoopStep[] = [
    { worker: 'research', settings: { model: 'gpt-4o', temperature: 0, system: PROMPTS.research }, user: (input) => `topic: ${topicOf(input)}\nList the key facts a senior engineer should know.`, feedback: ruleScore('research') },
    { worker: 'outline', settings: { model: 'gpt-4o', temperature: 0, maxTokens: 4000, system: PROMPTS.outline }, user: (input, e) => `Make a JSON outline. ${input}\nNotes: ${e.research ?? ''}`, feedback: (out) => ({ quality: outlineQuality(out) }) },
    { worker: 'write', settings: { model: 'gpt-4o', temperature: 0, system: PROMPTS.write }, user: (input, e) => `Write the article. ${input}\nOutline: ${(e.outline ?? '').slice(0, 600)}`, feedback: (out) => ({ rating: readerRating(out, random) }) },
    { worker: 'tags', settings: { model: 'gpt-4o', temperature: 0, system: PROMPTS.tags }, user: (_i, e) => `Article: ${e.write ?? ''}`, feedback: ruleScore('tags') },
    { worker: 'title', settings: { model: 'gpt-4o', temperature: 0, system: PROMPTS.title }, user: (_i, e) => `Article: ${e.write ?? ''}`, feedback: ruleScore('title') },
  ];
  return {
    name: 'content',
    steps,
    input: (i) => `topic: ${TOPICS[i % TOPICS.length]}\nbrief: #${i}`,
    // The demo's known optimum (demoPipeline.measureKnownOptimum) without the developer's writer prompt,
    // which only a developer can supply: research cached, outlines capped and compressed on gpt-4.1-mini.
    optimum: {
      research: { ...steps[0].settings, model: 'gpt-4.1-mini', cache: true },
      outline: { ...steps[1].settings, model: 'gpt-4.1-mini', maxTokens: 128, system: compressPromptByRules(PROMPTS.outline) },
      write: steps[2].settings,
      tags: { ...steps[3].settings, model: 'gpt-4.1-nano' },
      title: { ...steps[4].settings, model: 'gpt-4.1-nano' },
    },
    price: (model, usage) => prices.computeCost({ model, inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens })?.costUsd ?? 0,
  };
}

export { nonLatin };
