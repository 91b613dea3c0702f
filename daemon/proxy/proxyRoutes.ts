// The OpenAI-compatible recording proxy at /openai/v1/* (issue 3), plus its control API: live
// overrides, prompt variants, cache and duplicate figures, and the concurrency gates' metrics.
import type { FastifyInstance } from 'fastify';
import type { DaemonContext } from '../daemonContext';
import { pathRunId } from '../server/httpServer';
import { registerOverrideRoutes } from './overrideRoutes';
import { handleProxyRequest, PROXY_PREFIX } from './proxyHandler';
import { createProxyState } from './proxyState';

export function registerProxyRoutes(app: FastifyInstance, ctx: DaemonContext): void {
  const state = createProxyState(ctx);
  app.addHook('onClose', async () => {
    await state.close();
  });

  app.all(`${PROXY_PREFIX}/v1/*`, async (request, reply) => {
    // From here on the proxy writes the raw response itself (streaming, exact bytes).
    reply.hijack();
    try {
      await handleProxyRequest(
        ctx,
        state,
        {
          method: request.method,
          url: request.url,
          headers: request.headers,
          body: Buffer.isBuffer(request.body) ? request.body : undefined,
          pathRunId: pathRunId(request.raw),
        },
        reply.raw,
      );
    } catch (error) {
      ctx.logger.error('proxy: request failed', { url: request.url, error: (error as Error).message, stack: (error as Error).stack });
      const res = reply.raw;
      if (!res.headersSent && !res.destroyed) {
        const text = JSON.stringify({ error: { message: `flowtune proxy error: ${(error as Error).message}`, type: 'server_error', code: 'proxy_error' } });
        res.writeHead(502, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
        res.end(text);
      } else if (!res.destroyed) res.end();
    }
  });

  registerOverrideRoutes(app, ctx, state);
}
