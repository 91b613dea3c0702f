// A/A must not ship: many paired replays with identical arms on the simulated provider (real openai
// client over loopback, the simulator's randomness and runaway outputs included), and the paired
// replay runner's budget cap and real-effect detection on the same provider.
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { PROMPTS } from '../../../daemon/demo/demoPipeline';
import { startSimulatedProvider, type SimulatedProvider } from '../../../daemon/demo/simulatedProvider';
import { scoreOutput } from '../../../daemon/optimize/evaluators/scoreOutput';
import { openaiArmCaller } from '../../../daemon/optimize/experiments/openaiArmCaller';
import { runPairedReplay, type ReplayInput } from '../../../daemon/optimize/experiments/pairedReplay';
import { loadPriceTable } from '../../../daemon/pricing/priceTable';

const EVALUATORS = [{ type: 'is-json' as const }, { type: 'contains' as const, value: '"sections"' }];
const AA_EXPERIMENTS = 100;

describe('paired replay on the simulated provider', function () {
  this.timeout(60_000);
  let provider: SimulatedProvider;
  const prices = loadPriceTable().table;
  const inputs: ReplayInput[] = Array.from({ length: 40 }, (_, i) => ({
    callId: `call-${i}`,
    messages: [
      { role: 'system', content: PROMPTS.outline },
      { role: 'user', content: `Make a JSON outline. topic: topic ${i % 12}\nbrief: #${i}` },
    ],
  }));
  const score = async (input: ReplayInput, output: string) => (await scoreOutput(EVALUATORS, '', output, null)).quality ?? 0;
  let caller: ReturnType<typeof openaiArmCaller>;

  before(async () => {
    // A little simulated latency, so latency reflects the models (at 0 it is loopback noise only).
    provider = await startSimulatedProvider({ seed: 7, latencyScale: 0.05 });
    caller = openaiArmCaller(new OpenAI({ apiKey: 'k', baseURL: provider.baseURL, maxRetries: 3 }), prices);
  });
  after(() => provider.close());

  it(`A/A: identical arms ship in at most 5% of ${AA_EXPERIMENTS} experiments (cost primary, latency and quality guardrails)`, async () => {
    let shipped = 0;
    let decided = 0;
    for (let i = 0; i < AA_EXPERIMENTS; i++) {
      const arm = { model: 'gpt-4o-mini', max_tokens: 400 };
      const outcome = await runPairedReplay({ inputs, control: arm, treatment: { ...arm }, call: caller, score, budgetUsd: Infinity, concurrency: 8, settings: { primaryMetric: 'cost', qualityMargin: 0.05, minSamples: 30, tuningN: 40 } });
      if (outcome.decision?.decision === 'ship') shipped++;
      if (outcome.decision?.decision !== 'continue') decided++;
    }
    const rate = shipped / AA_EXPERIMENTS;
    process.stderr.write(`      A/A false-ship rate: ${shipped}/${AA_EXPERIMENTS} = ${(rate * 100).toFixed(1)}% (${decided} decided)\n`);
    assert.ok(rate <= 0.05, `false-ship rate ${rate}`);
  });

  it('ships a real saving (gpt-4.1-mini for gpt-4o on outlines) and stops at the budget with the spend recorded', async () => {
    const shipped = await runPairedReplay({ inputs, control: { model: 'gpt-4o', max_tokens: 400 }, treatment: { model: 'gpt-4.1-mini', max_tokens: 400 }, call: caller, score, budgetUsd: 1, concurrency: 8, settings: { primaryMetric: 'cost', qualityMargin: 0.05, minSamples: 30, tuningN: 40 } });
    assert.equal(shipped.decision?.decision, 'ship', JSON.stringify(shipped.decision?.reasons));
    assert.equal(shipped.stoppedBy, 'decision');
    const capped = await runPairedReplay({ inputs, control: { model: 'gpt-4o', max_tokens: 4000 }, treatment: { model: 'gpt-4o-mini', max_tokens: 4000 }, call: caller, score, budgetUsd: 0.002, batchSize: 10, concurrency: 8 });
    assert.equal(capped.stoppedBy, 'budget');
    assert.ok(capped.spentUsd >= 0.002 && capped.pairs.length < inputs.length, `${capped.spentUsd} ${capped.pairs.length}`);
  });

  it('never ships a model that loses quality (nano drops outline sections)', async () => {
    const outcome = await runPairedReplay({ inputs, control: { model: 'gpt-4o', max_tokens: 400 }, treatment: { model: 'gpt-4.1-nano', max_tokens: 400 }, call: caller, score, budgetUsd: 1, concurrency: 8, settings: { primaryMetric: 'cost', qualityMargin: 0.05, minSamples: 30, tuningN: 40 } });
    assert.equal(outcome.decision?.decision, 'reject');
    assert.ok((outcome.decision?.quality.difference ?? 0) < -0.1, String(outcome.decision?.quality.difference));
    assert.equal(outcome.decision?.quality.nonInferior, false);
  });
});
