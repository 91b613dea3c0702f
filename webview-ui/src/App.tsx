// The dashboard app: holds the last payload, reacts to every host message (exhaustive switch) and
// renders either the full panel or the compact sidebar view.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { DASHBOARD_WINDOWS_HOURS, DEFAULT_DASHBOARD_WINDOW_HOURS, type Dashboard } from '../../shared/http/dashboard';
import { assertNever, type HostToWebviewMessage } from '../../shared/webviewMessages';
import { count, pct, time, usd, windowLabel } from './format';
import { loadState, onHostMessage, postToHost, saveState } from './vscodeApi';
import { Anomalies } from './views/Anomalies';
import { Decisions } from './views/Decisions';
import { Experiments } from './views/Experiments';
import { LearningCurveView } from './views/LearningCurveView';
import { Overview } from './views/Overview';
import { Recommendations, type ActionOutcome, type PendingAction } from './views/Recommendations';
import { ReportView } from './views/ReportView';
import { WorkerCharts } from './views/WorkerCharts';
import { WorkersTable } from './views/WorkersTable';

export type DashboardMode = 'panel' | 'sidebar';

export function App({ mode }: { mode: DashboardMode }) {
  const persisted = loadState();
  const [data, setData] = useState<Dashboard | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [windowHours, setWindowHours] = useState(persisted.windowHours ?? DEFAULT_DASHBOARD_WINDOW_HOURS);
  const [worker, setWorker] = useState<string | null>(persisted.worker ?? null);
  const [pending, setPending] = useState<ReadonlyMap<string, PendingAction>>(new Map());
  const [outcomes, setOutcomes] = useState<ReadonlyMap<string, ActionOutcome>>(new Map());

  useEffect(() => {
    const stop = onHostMessage((message: HostToWebviewMessage) => {
      switch (message.type) {
        case 'dashboard':
          setData(message.data);
          setLoading(false);
          setError(null);
          break;
        case 'loading':
          setLoading(true);
          break;
        case 'error':
          setLoading(false);
          setError(message.message);
          break;
        case 'recommendationResult':
          setPending((m) => {
            const next = new Map(m);
            next.delete(message.id);
            return next;
          });
          setOutcomes((m) => new Map(m).set(message.id, { ok: message.ok, message: message.message }));
          break;
        default:
          assertNever(message);
      }
    });
    postToHost({ type: 'ready', windowHours });
    return stop;
    // Only the window at mount: later changes post 'refresh'.
  }, []);

  // Marks each rendered payload on the document, for tests and first-paint measurements.
  useEffect(() => {
    if (data) document.documentElement.dataset.renderedAt = String(data.generatedAt);
  }, [data]);

  useEffect(() => saveState({ windowHours, worker: worker ?? undefined }), [windowHours, worker]);

  const chooseWindow = useCallback((hours: number) => {
    setWindowHours(hours);
    setLoading(true);
    postToHost({ type: 'refresh', windowHours: hours });
  }, []);
  const refresh = useCallback(() => {
    setLoading(true);
    postToHost({ type: 'refresh', windowHours });
  }, [windowHours]);
  const act = useCallback((id: string, action: 'apply' | 'dismiss') => {
    setPending((m) => new Map(m).set(id, { action }));
    setOutcomes((m) => {
      const next = new Map(m);
      next.delete(id);
      return next;
    });
    postToHost(action === 'apply' ? { type: 'applyRecommendation', id } : { type: 'dismissRecommendation', id });
  }, []);
  const onApply = useCallback((id: string) => act(id, 'apply'), [act]);
  const onDismiss = useCallback((id: string) => act(id, 'dismiss'), [act]);

  const toolbar = (
    <div class="toolbar" role="toolbar" aria-label="Dashboard controls">
      {mode === 'panel' && (
        <div class="segmented" role="group" aria-label="Time window">
          {DASHBOARD_WINDOWS_HOURS.map((hours) => (
            <button key={hours} type="button" aria-pressed={hours === windowHours} class={hours === windowHours ? 'selected' : ''} onClick={() => chooseWindow(hours)}>
              {windowLabel(hours)}
            </button>
          ))}
        </div>
      )}
      <button type="button" class="icon-button" onClick={refresh} aria-label="Refresh dashboard" title="Refresh">
        <span class={`codicon codicon-refresh ${loading ? 'codicon-modifier-spin' : ''}`} aria-hidden="true" />
      </button>
      {mode === 'sidebar' && (
        <button type="button" class="secondary" onClick={() => postToHost({ type: 'openFullDashboard' })}>
          <span class="codicon codicon-dashboard" aria-hidden="true" /> Open dashboard
        </button>
      )}
      <span class="status muted" role="status" aria-live="polite">
        {loading ? 'Loading…' : data ? `Updated ${time(data.generatedAt)} · built in ${Math.round(data.computeMs)} ms` : ''}
      </span>
    </div>
  );

  const banner = error && (
    <div class="banner error" role="alert">
      <span class="codicon codicon-error" aria-hidden="true" /> {error}
    </div>
  );

  if (!data) {
    return (
      <main class={`dashboard ${mode}`}>
        {toolbar}
        {banner}
        {!error && <p class="empty">Loading the dashboard…</p>}
      </main>
    );
  }

  if (mode === 'sidebar') {
    const o = data.overview;
    const open = data.anomalies.filter((a) => a.state === 'open').length;
    return (
      <main class="dashboard sidebar" data-testid="sidebar">
        {toolbar}
        {banner}
        <section aria-labelledby="summary-heading" data-testid="view-summary">
          <h2 id="summary-heading">Last {windowLabel(data.window.hours)}</h2>
          <dl class="summary">
            <dt>Calls</dt>
            <dd>{count(o.calls.current)}</dd>
            <dt>Cost</dt>
            <dd>{usd(o.costUsd.current)}</dd>
            <dt>Error rate</dt>
            <dd>{pct(o.errorRate.current, 2)}</dd>
            <dt>Open anomalies</dt>
            <dd>{open}</dd>
            <dt>Saved to date</dt>
            <dd>{usd(o.savings.totalUsd)}</dd>
          </dl>
        </section>
        <Recommendations recommendations={data.recommendations} pending={pending} outcomes={outcomes} onApply={onApply} onDismiss={onDismiss} compact />
      </main>
    );
  }

  return (
    <main class="dashboard panel" data-testid="panel">
      <h1>
        <span class="codicon codicon-pulse" aria-hidden="true" /> Flowtune
      </h1>
      {toolbar}
      {banner}
      <Overview overview={data.overview} windowLabel={windowLabel(data.window.hours)} />
      <WorkerCharts series={data.series} worker={worker} onWorker={setWorker} />
      <WorkersTable workers={data.workers} onSelect={setWorker} />
      <div class="columns">
        <Anomalies anomalies={data.anomalies} />
        <Recommendations recommendations={data.recommendations} pending={pending} outcomes={outcomes} onApply={onApply} onDismiss={onDismiss} />
      </div>
      <Experiments experiments={data.experiments} />
      <LearningCurveView curve={data.learningCurve} />
      <ReportView report={data.report} />
      <Decisions decisions={data.decisions} />
    </main>
  );
}
