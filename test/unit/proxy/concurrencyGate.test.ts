import assert from 'node:assert/strict';
import { ConcurrencyGate, QueueAbortedError, QueueFullError } from '../../../daemon/proxy/concurrencyGate';

function gate(limit: number, maxQueue: number, now?: () => number) {
  return new ConcurrencyGate({ limit: { initial: limit, min: 1, max: 100 }, maxQueue, maxPauseMs: 60_000 }, now);
}

describe('concurrency gate', () => {
  it('admits up to the limit, queues the rest in order, refuses beyond the queue', async () => {
    const g = gate(2, 2);
    const first = await g.acquire();
    const second = await g.acquire();
    const order: string[] = [];
    const third = g.acquire().then((permit) => (order.push('third'), permit));
    const fourth = g.acquire().then((permit) => (order.push('fourth'), permit));
    await assert.rejects(g.acquire(), (error: unknown) => error instanceof QueueFullError && error.retryAfterSeconds === 1);
    assert.deepEqual({ ...g.snapshot(), limit: undefined }, {
      limit: undefined, inflight: 2, queued: 2, maxQueue: 2, pausedForMs: 0, completed: 0, rateLimited: 0, timeouts: 0, refused: 1,
    });
    g.release(first, 'error', 10);
    await third;
    assert.deepEqual(order, ['third']);
    g.release(second, 'error', 10);
    await fourth;
    assert.deepEqual(order, ['third', 'fourth']);
    assert.equal(g.snapshot().inflight, 2);
  });

  it('a 429 halves the limit and pauses the gate for Retry-After, then resumes by itself', async () => {
    const g = gate(4, 10);
    const permit = await g.acquire();
    g.release(permit, 'rate_limited', 5, 80);
    assert.equal(g.limiter.limit, 2);
    assert.ok(g.isPaused());
    const started = Date.now();
    const waiting = await g.acquire();
    const waited = Date.now() - started;
    assert.ok(waited >= 70, `waited ${waited} ms`);
    assert.equal(g.isPaused(), false);
    g.release(waiting, 'success', 5);
  });

  it('a full queue during a pause answers with the remaining pause as Retry-After', async () => {
    let now = 1_000_000;
    const g = gate(1, 0, () => now);
    const permit = await g.acquire();
    g.release(permit, 'rate_limited', 5, 12_500);
    now += 500;
    await assert.rejects(g.acquire(), (error: unknown) => error instanceof QueueFullError && error.retryAfterSeconds === 12);
    g.close();
  });

  it('caps a Retry-After pause at maxPauseMs', () => {
    let now = 0;
    const g = new ConcurrencyGate({ limit: { initial: 2, min: 1 }, maxQueue: 1, maxPauseMs: 1000 }, () => now);
    g.pauseFor(3_600_000);
    assert.equal(g.pauseRemainingMs(), 1000);
    now = 1001;
    assert.equal(g.isPaused(), false);
    g.close();
  });

  it('drops a waiter whose client went away', async () => {
    const g = gate(1, 5);
    const held = await g.acquire();
    const controller = new AbortController();
    const waiting = g.acquire(controller.signal);
    assert.equal(g.snapshot().queued, 1);
    controller.abort();
    await assert.rejects(waiting, QueueAbortedError);
    assert.equal(g.snapshot().queued, 0);
    g.release(held, 'success', 5);
    assert.equal(g.snapshot().inflight, 0);
  });

  it('wakes queued requests even when the resume timer fires before the clock reaches the end of the pause', async () => {
    // The clock falls 3 ms behind the timers once the pause is set: the first wake-up finds the gate
    // still paused, as when a timer fires a millisecond early.
    let lagMs = 0;
    const g = gate(1, 10, () => Date.now() - lagMs);
    const held = await g.acquire();
    g.release(held, 'rate_limited', 5, 20);
    assert.ok(g.isPaused());
    lagMs = 3;
    const started = Date.now();
    const next = await g.acquire();
    assert.ok(Date.now() - started >= 15, 'it waited for the pause');
    g.release(next, 'success', 5);
  });
});
