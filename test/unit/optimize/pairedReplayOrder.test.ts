// Paired replay must not let the order in which a pair's two calls start look like an effect.
import assert from 'node:assert/strict';
import { runPairedReplay, type ArmSettings, type ReplayInput } from '../../../daemon/optimize/experiments/pairedReplay';

describe('optimize/pairedReplay order', () => {
  it('alternates which arm starts first, so a head start for the first call is no latency effect', async () => {
    const inputs: ReplayInput[] = Array.from({ length: 40 }, (_, i) => ({ callId: `c${i}`, messages: [{ role: 'user', content: `input ${i}` }] }));
    const control: ArmSettings = { model: 'gpt-4o' };
    const treatment: ArmSettings = { model: 'gpt-4o-mini' };
    const startedFirst = new Set<string>();
    let firstStarts = 0;
    const outcome = await runPairedReplay({
      inputs,
      control,
      treatment,
      budgetUsd: 100,
      concurrency: 1,
      // The call that starts first in its pair is 1 ms; the second waits behind it, 3 ms. Same cost.
      call: async (input, arm) => {
        const first = !startedFirst.has(input.callId);
        startedFirst.add(input.callId);
        if (first && arm === control) firstStarts++;
        return { ok: true, output: 'same', costUsd: arm === control ? 0.002 : 0.001, latencyMs: first ? 1 : 3 };
      },
      score: async () => 1,
    });
    assert.equal(outcome.pairs.length >= 30, true);
    const mean = (pick: (p: (typeof outcome.pairs)[number]) => number) => outcome.pairs.reduce((s, p) => s + pick(p), 0) / outcome.pairs.length;
    assert.ok(Math.abs(mean((p) => p.control.latencyMs) - mean((p) => p.treatment.latencyMs)) <= 0.2, 'no order bias in latency');
    assert.ok(firstStarts > 0 && firstStarts < outcome.pairs.length, 'both arms start first sometimes');
    assert.equal(outcome.decision?.decision, 'ship', JSON.stringify(outcome.decision?.reasons));
  });
});
