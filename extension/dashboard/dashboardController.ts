// What a dashboard webview's host does, without vscode: parse every webview message with the shared
// union, answer with GET /v1/dashboard, forward Apply/Dismiss to the daemon and send the outcome
// back, and coalesce live-update triggers into at most one refresh per second.
import type { DaemonInfo } from '../../daemon/daemonFile';
import { dashboardSchema } from '../../shared/http/dashboard';
import { assertNever, webviewToHostMessageSchema, type HostToWebviewMessage, type WebviewToHostMessage } from '../../shared/webviewMessages';
import { daemonJson } from '../daemonHttp';

export const MIN_REFRESH_INTERVAL_MS = 1_000;

export interface DashboardControllerOptions {
  /** The connected daemon, or null with the reason it is not available. */
  daemon: () => { info: DaemonInfo } | { info: null; reason: string };
  post: (message: HostToWebviewMessage) => void;
  openFullDashboard: () => void;
  log?: (line: string) => void;
  minIntervalMs?: number;
}

export class DashboardController {
  private windowHours: number | undefined;
  private lastRefreshAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private again = false;
  private disposed = false;
  /** The webview has asked for data at least once (it is loaded and listening). */
  private ready = false;

  constructor(private readonly options: DashboardControllerOptions) {}

  /** Handles one message from the webview; anything that fails the schema is dropped. */
  async receive(raw: unknown): Promise<void> {
    const parsed = webviewToHostMessageSchema.safeParse(raw);
    if (!parsed.success) {
      this.options.log?.(`[dashboard] ignored an invalid webview message: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      return;
    }
    const message: WebviewToHostMessage = parsed.data;
    switch (message.type) {
      case 'ready':
      case 'refresh':
        this.ready = true;
        if (message.windowHours !== undefined) this.windowHours = message.windowHours;
        await this.refreshNow();
        return;
      case 'applyRecommendation':
        await this.decide(message.id, 'apply');
        return;
      case 'dismissRecommendation':
        await this.decide(message.id, 'dismiss');
        return;
      case 'openFullDashboard':
        this.options.openFullDashboard();
        return;
      default:
        assertNever(message);
    }
  }

  /** A live-update trigger (daemon notification): refresh soon, at most once per interval. */
  requestRefresh(): void {
    if (this.disposed || !this.ready || this.timer) return;
    const interval = this.options.minIntervalMs ?? MIN_REFRESH_INTERVAL_MS;
    const wait = Math.max(0, this.lastRefreshAt + interval - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.refreshNow();
    }, wait);
  }

  /** Fetches and posts the dashboard; concurrent calls collapse into one follow-up fetch. */
  refreshNow(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    this.inFlight = this.fetchAndPost().finally(() => {
      this.inFlight = null;
      if (this.again && !this.disposed) {
        this.again = false;
        this.requestRefresh();
      }
    });
    return this.inFlight;
  }

  private async fetchAndPost(): Promise<void> {
    this.lastRefreshAt = Date.now();
    const daemon = this.options.daemon();
    if (!daemon.info) {
      this.options.post({ type: 'error', message: `The Flowtune daemon is not available: ${daemon.reason}.` });
      return;
    }
    this.options.post({ type: 'loading' });
    try {
      const query = this.windowHours !== undefined ? `?window_hours=${this.windowHours}` : '';
      const body = await daemonJson<unknown>(daemon.info, 'GET', `/v1/dashboard${query}`);
      const data = dashboardSchema.safeParse(body);
      if (!data.success) {
        this.options.post({ type: 'error', message: `The daemon answered a dashboard this version cannot read (${data.error.issues[0]?.path.join('.') ?? '?'}). Update Flowtune and restart the daemon.` });
        return;
      }
      if (!this.disposed) this.options.post({ type: 'dashboard', data: data.data });
    } catch (error) {
      this.options.post({ type: 'error', message: `Could not load the dashboard: ${(error as Error).message}` });
    }
  }

  private async decide(id: string, action: 'apply' | 'dismiss'): Promise<void> {
    const daemon = this.options.daemon();
    if (!daemon.info) {
      this.options.post({ type: 'recommendationResult', id, action, ok: false, state: null, message: `Not sent: the daemon is not available (${daemon.reason}).` });
      return;
    }
    const verb = action === 'apply' ? 'accept' : 'dismiss';
    try {
      const result = await daemonJson<{ recommendation?: { state?: unknown; title?: unknown } }>(
        daemon.info,
        'POST',
        `/v1/recommendations/${encodeURIComponent(id)}/${verb}`,
        { reason: action === 'apply' ? 'applied from the dashboard' : 'dismissed from the dashboard' },
      );
      const state = typeof result.recommendation?.state === 'string' ? result.recommendation.state : null;
      const message = action === 'apply' ? `Applied${state ? ` — now ${state.replace('_', ' ')}` : ''}.` : `Dismissed${state ? ` — now ${state}` : ''}.`;
      this.options.post({ type: 'recommendationResult', id, action, ok: true, state, message });
    } catch (error) {
      this.options.post({ type: 'recommendationResult', id, action, ok: false, state: null, message: `${action === 'apply' ? 'Apply' : 'Dismiss'} failed: ${(error as Error).message}` });
    }
    await this.refreshNow();
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
