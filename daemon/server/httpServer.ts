// The daemon's HTTP surface on 127.0.0.1: one Fastify instance carrying ingestion, feedback and the
// control API. Every request passes the guard first; every error leaves in the OpenAI error shape.
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { errorBody } from '../../shared/errors';
import type { DaemonContext } from '../daemonContext';
import { registerInsightsRoutes } from '../insights/insightsRoutes';
import { registerProxyRoutes } from '../proxy/proxyRoutes';
import { HttpError } from './httpError';
import { guardRequest, splitPathToken } from './requestGuard';
import { registerControlRoutes } from './routes/controlRoutes';
import { registerDashboardRoutes } from './routes/dashboardRoutes';
import { registerImproveRoutes } from './routes/improveRoutes';
import { registerNativeRoutes } from './routes/nativeRoutes';
import { registerOtlpRoutes } from './routes/otlpRoutes';
import { registerWatchRoutes } from './routes/watchRoutes';

/** Token and run id carried in the URL path (`/t/<token>/run/<id>/…`), kept per raw request after the rewrite. */
const pathCredentials = new WeakMap<IncomingMessage, { token: string; runId?: string }>();

/** The run id a client put in its base URL, if any (the proxy records it on the call). */
export function pathRunId(request: IncomingMessage): string | undefined {
  return pathCredentials.get(request)?.runId;
}

export function createHttpServer(ctx: DaemonContext): FastifyInstance {
  const app = Fastify({
    logger: false,
    // Raw bytes may be compressed; the decompressed limit is enforced again in decodeRequestBody.
    bodyLimit: ctx.maxBodyBytes,
    forceCloseConnections: true,
    rewriteUrl(request) {
      const { url, token, runId } = splitPathToken(request.url ?? '/');
      if (token) pathCredentials.set(request, { token, runId });
      return url;
    },
  });

  // Bodies stay raw bytes: OTLP needs protobuf and gzip, the proxy forwards bytes unchanged.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.addHook('onRequest', async (request, reply) => {
    const rejection = guardRequest(request.headers, { port: ctx.port, token: ctx.token }, pathCredentials.get(request.raw)?.token);
    if (rejection) {
      ctx.logger.warn('request refused', { method: request.method, url: request.url, reason: rejection.type });
      return reply.code(rejection.status).send(errorBody(rejection.message, rejection.type, rejection.type));
    }
  });

  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    if (error instanceof HttpError) {
      for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
      return reply.code(error.status).send(errorBody(error.message, error.type, error.type));
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.code(413).send(errorBody(`request body exceeds ${ctx.maxBodyBytes} bytes`, 'payload_too_large', 'payload_too_large'));
    }
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status >= 500) ctx.logger.error('request failed', { url: request.url, error: error.message, stack: error.stack });
    return reply
      .code(status)
      .send(errorBody(status >= 500 ? `internal error: ${error.message}` : error.message, status >= 500 ? 'server_error' : 'invalid_request_error', error.code ?? null));
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(errorBody(`no route for ${request.method} ${request.url}`, 'not_found', 'not_found')),
  );

  registerOtlpRoutes(app, ctx);
  registerNativeRoutes(app, ctx);
  registerControlRoutes(app, ctx);
  registerWatchRoutes(app, ctx);
  registerProxyRoutes(app, ctx);
  registerImproveRoutes(app, ctx);
  registerDashboardRoutes(app, ctx);
  registerInsightsRoutes(app, ctx);
  return app;
}
