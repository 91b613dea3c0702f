// Proxy overhead against direct calls to the same local upstream, in the same run:
// `npx tsx test/integration/proxy/measureOverhead.ts [calls]`. Prints JSON with added latency
// (p50, p99) for non-streamed calls, added time to first chunk for streamed ones, and the daemon's
// heap before and after.
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { startTestDaemon } from '../../support/daemonHarness';
import { startFakeOpenAI } from '../../support/fakeOpenAI';

function quantile(sorted: number[], q: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index];
}

function summary(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: +quantile(sorted, 0.5).toFixed(3), p99: +quantile(sorted, 0.99).toFixed(3), mean: +(values.reduce((s, v) => s + v, 0) / values.length).toFixed(3) };
}

async function main(): Promise<void> {
  const calls = Number(process.argv[2] ?? 500);
  const fake = await startFakeOpenAI();
  const daemon = await startTestDaemon({ upstream: fake.baseURL });
  const agent = new Agent({ connections: 8 });
  const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }], temperature: 0 });
  const streamBody = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }], stream: true });
  const headers = { 'content-type': 'application/json', authorization: 'Bearer sk-test-abcdefghijklmnopqrstuvwxyz', 'accept-encoding': 'gzip' };
  const proxyHeaders = { ...headers, 'x-flowtune-token': daemon.token, 'x-flowtune-worker': 'bench' };

  const timeCall = async (url: string, h: Record<string, string>, payload: string): Promise<number> => {
    const t0 = performance.now();
    const response = await request(url, { method: 'POST', headers: h, body: payload, dispatcher: agent });
    await response.body.arrayBuffer();
    if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`);
    return performance.now() - t0;
  };
  const timeFirstChunk = async (url: string, h: Record<string, string>): Promise<number> => {
    const t0 = performance.now();
    const response = await request(url, { method: 'POST', headers: h, body: streamBody, dispatcher: agent });
    let first = 0;
    for await (const chunk of response.body) {
      if (first === 0 && (chunk as Buffer).length > 0) first = performance.now() - t0;
    }
    return first;
  };

  const directUrl = `${fake.baseURL}/chat/completions`;
  const proxyUrl = `http://127.0.0.1:${daemon.daemon.ctx.port}/openai/v1/chat/completions`;
  for (let i = 0; i < 100; i++) {
    await timeCall(directUrl, headers, body);
    await timeCall(proxyUrl, proxyHeaders, body);
  }
  const heapBefore = process.memoryUsage().heapUsed;
  const direct: number[] = [];
  const proxied: number[] = [];
  const added: number[] = [];
  for (let i = 0; i < calls; i++) {
    const d = await timeCall(directUrl, headers, body);
    const p = await timeCall(proxyUrl, proxyHeaders, body);
    direct.push(d);
    proxied.push(p);
    added.push(p - d);
  }
  const streamDirect: number[] = [];
  const streamProxied: number[] = [];
  for (let i = 0; i < Math.min(calls, 200); i++) {
    streamDirect.push(await timeFirstChunk(directUrl, headers));
    streamProxied.push(await timeFirstChunk(proxyUrl, proxyHeaders));
  }
  const heapAfter = process.memoryUsage().heapUsed;
  const recorded = (daemon.daemon.ctx.db.prepare("SELECT COUNT(*) AS n FROM calls WHERE worker = 'bench'").get() as { n: number }).n;
  process.stderr.write(
    JSON.stringify(
      {
        calls,
        nonStreamed: { direct: summary(direct), proxied: summary(proxied), addedPerPair: summary(added), addedP50: +(summary(proxied).p50 - summary(direct).p50).toFixed(3), addedP99: +(summary(proxied).p99 - summary(direct).p99).toFixed(3) },
        streamedFirstChunk: { direct: summary(streamDirect), proxied: summary(streamProxied) },
        recorded,
        heapMbBeforeAfter: [+(heapBefore / 1e6).toFixed(1), +(heapAfter / 1e6).toFixed(1)],
      },
      null,
      2,
    ) + '\n',
  );
  await agent.close();
  await daemon.stop();
  await fake.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
