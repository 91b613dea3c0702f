// OTLP/HTTP receiver: /v1/traces, /v1/logs, /v1/metrics (filled in with the decoders).
import type { FastifyInstance } from 'fastify';
import type { DaemonContext } from '../../daemonContext';

export function registerOtlpRoutes(_app: FastifyInstance, _ctx: DaemonContext): void {}
