// GET /v1/dashboard?window_hours=24: the dashboard webview's one payload (shared/http/dashboard.ts),
// aggregated here so the webview never receives raw calls. One builder per daemon keeps the caches
// that make repeated requests cheap; it is warmed shortly after start so the first open is fast.
import type { FastifyInstance } from 'fastify';
import { DEFAULT_DASHBOARD_WINDOW_HOURS, type Dashboard } from '../../../shared/http/dashboard';
import { DashboardBuilder } from '../../dashboard/dashboardBuilder';
import type { DaemonContext } from '../../daemonContext';
import { HttpError } from '../httpError';

const MAX_WINDOW_HOURS = 24 * 90;
const WARM_UP_DELAY_MS = 2_000;

const builders = new WeakMap<DaemonContext, DashboardBuilder>();

export function dashboardBuilderFor(ctx: DaemonContext): DashboardBuilder {
  let builder = builders.get(ctx);
  if (!builder) {
    builder = new DashboardBuilder(ctx.db);
    builders.set(ctx, builder);
  }
  return builder;
}

function windowHoursParam(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_DASHBOARD_WINDOW_HOURS;
  const hours = Number(value);
  if (!Number.isInteger(hours) || hours < 1 || hours > MAX_WINDOW_HOURS) {
    throw new HttpError(400, 'invalid_request_error', `window_hours must be an integer from 1 to ${MAX_WINDOW_HOURS}`);
  }
  return hours;
}

export function registerDashboardRoutes(app: FastifyInstance, ctx: DaemonContext): void {
  app.get<{ Querystring: { window_hours?: string } }>('/v1/dashboard', async (request): Promise<Dashboard> => {
    return dashboardBuilderFor(ctx).build(windowHoursParam(request.query.window_hours));
  });

  // Build the default window once in the background, so opening the dashboard finds warm caches.
  const warmUp = setTimeout(() => {
    try {
      dashboardBuilderFor(ctx).build(DEFAULT_DASHBOARD_WINDOW_HOURS);
    } catch (error) {
      ctx.logger.warn('dashboard warm-up failed', { error: (error as Error).message });
    }
  }, WARM_UP_DELAY_MS);
  warmUp.unref();
  app.addHook('onClose', async () => clearTimeout(warmUp));
}
