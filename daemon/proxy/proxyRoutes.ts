// The OpenAI-compatible recording proxy at /openai/v1/* (issue 3).
import type { FastifyInstance } from 'fastify';
import type { DaemonContext } from '../daemonContext';

export function registerProxyRoutes(_app: FastifyInstance, _ctx: DaemonContext): void {}
