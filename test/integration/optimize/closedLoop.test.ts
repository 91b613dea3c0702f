// The loop closes by itself on a provider and a pipeline it has never seen: the Lumen helpdesk
// simulator (models priced only in its own /v1/models listing), the official openai client through the
// proxy, no flowtune.config.json, the application's quality score posted for every call. The full
// 2,000-call figures and the 80% target are in `npm run bench` (test/bench/closedLoopBench.ts).
import assert from 'node:assert/strict';
import { runClosedLoop, type LoopResult } from '../../support/closedLoop';
import { helpdeskPipeline } from '../../support/closedLoopPipelines';
import { startHelpdeskProvider, type HelpdeskProvider } from '../../support/helpdeskProvider';

describe('closed loop from no config on the helpdesk simulator', function () {
  this.timeout(180_000);
  let provider: HelpdeskProvider;
  let result: LoopResult;
  before(async () => {
    provider = await startHelpdeskProvider();
    result = await runClosedLoop(helpdeskPipeline(), provider.baseURL, { calls: 1500, cycleEvery: 25, finalWindowRuns: 40 });
  });
  after(() => provider.close());

  it('prices calls from the listing of models no price table knows (asked at the first unknown model), and finds its candidates there', () => {
    // Only calls recorded before the listing arrived can lack a cost: a few of the first run's.
    assert.ok(result.unpricedCalls <= 25, `${result.unpricedCalls} unpriced calls`);
    assert.ok(result.shipped.some((t) => /try lumen-(lite|nano)/.test(t)), result.shipped.join(' | '));
  });

  it('moves workers that hold quality to a cheaper model, and keeps the traps (translate subset, feedback-only reply) on theirs', () => {
    const shippedModel = (worker: string) => result.shipped.some((t) => t.startsWith(`${worker}: try `));
    assert.equal(shippedModel('translate'), false, result.shipped.join(' | '));
    assert.equal(shippedModel('reply'), false, result.shipped.join(' | '));
    assert.ok(result.rejected.some((t) => t.startsWith('translate: try ')), result.rejected.join(' | '));
    assert.ok(result.rejected.some((t) => t.startsWith('reply: try ')), result.rejected.join(' | '));
    // Quality holds wherever no experiment is still exploring at the end (one still running puts up to half its traffic on the candidate).
    const exploring = new Set(result.experiments.filter((e) => e.state === 'running').map((e) => e.worker));
    for (const worker of ['translate', 'reply'].filter((w) => !exploring.has(w))) {
      assert.ok((result.final.quality[worker] ?? 0) >= (result.baseline.quality[worker] ?? 0) - result.margins[worker], `${worker} quality ${result.final.quality[worker]} vs ${result.baseline.quality[worker]}`);
    }
  });

  it('applies changes by itself with guard rails, logs every decision, and captures most of the achievable saving', () => {
    assert.ok((result.decisions.apply ?? 0) >= 3, JSON.stringify(result.decisions));
    assert.ok((result.decisions.reject ?? 0) >= 2, JSON.stringify(result.decisions));
    assert.equal(result.decisions.cycle, result.cycles);
    assert.ok(result.capturedShare >= 0.5, `captured ${result.capturedShare}`);
    assert.ok(result.final.costPerRun < result.baseline.costPerRun);
  });

  it('ends every experiment within its bound and counts the exposure of rejected arms', () => {
    assert.equal(result.runningPastBound, 0);
    const rejected = result.experiments.filter((e) => e.state === 'rejected');
    assert.ok(rejected.length >= 2);
    for (const e of rejected) assert.ok(e.exposure !== null && e.exposure > 0 && e.exposure <= 160, JSON.stringify(e));
  });
});
