// Every Flowtune command in one table, registered in one place. A command never throws: failures
// become a message that says why and what to do. Each returns a short outcome (tests read it).
import * as vscode from 'vscode';
import type { WorkerPerformanceAnalysis } from '../shared/http/insights';
import { acceptRecommendationRequest, dismissRecommendationRequest, EXPLAIN_WORKER_COMMAND } from '../shared/protocol';
import { COMMAND_RESTART_DAEMON, COMMAND_SHOW_LOG, type FlowtuneContext } from './context';
import { DashboardPanel } from './dashboard/dashboardPanel';
import { daemonJson, DaemonHttpError, optimizeSummary, reportMarkdown, type EvolutionReport, type OptimizeResult } from './daemonHttp';
import { insightsMarkdown } from './insightsMarkdown';
import { promptForSecret } from './secrets';
import { pickAndRevealAnomaly, SHOW_ANOMALIES_COMMAND } from './statusBar';
import { exportLines, terminalVariables } from './terminalEnvironment';

type CommandHandler = (ctx: FlowtuneContext, ...args: unknown[]) => Promise<string | undefined>;

export const COMMANDS: Record<string, CommandHandler> = {
  'flowtune.runOptimization': runOptimization,
  'flowtune.showDashboard': showDashboard,
  'flowtune.rollbackLastOptimization': rollbackLastOptimization,
  [COMMAND_RESTART_DAEMON]: restartDaemon,
  'flowtune.copyRunEnvironment': copyRunEnvironment,
  'flowtune.openReport': openReport,
  'flowtune.setApiKey': async (ctx) => promptForSecret(ctx.extension.secrets, ctx.connection?.languageClient ?? null),
  [COMMAND_SHOW_LOG]: async (ctx) => {
    ctx.output.show(true);
    return 'shown';
  },
  [SHOW_ANOMALIES_COMMAND]: async (ctx) => {
    await pickAndRevealAnomaly(ctx.connection?.status ?? null, () => showDashboard(ctx));
    return 'picked';
  },
  'flowtune.acceptRecommendation': (ctx, id) => decide(ctx, 'accept', id),
  'flowtune.dismissRecommendation': (ctx, id) => decide(ctx, 'dismiss', id),
  [EXPLAIN_WORKER_COMMAND]: explainWorker,
};

export function registerCommands(ctx: FlowtuneContext): void {
  for (const [id, handler] of Object.entries(COMMANDS)) {
    ctx.track(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await handler(ctx, ...args);
        } catch (error) {
          const message = error instanceof DaemonHttpError ? error.message : `${(error as Error).message}`;
          ctx.output.appendLine(`[extension] ${id} failed: ${message}`);
          void vscode.window.showErrorMessage(`Flowtune: ${message}`);
          return `failed: ${message}`;
        }
      }),
    );
  }
}

async function runOptimization(ctx: FlowtuneContext): Promise<string | undefined> {
  const info = ctx.requireDaemon('run an optimization');
  if (!info) return 'daemon unavailable';
  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Flowtune: analysing, testing and applying improvements…', cancellable: true },
    async (_progress, token) => {
      const abort = new AbortController();
      const subscription = token.onCancellationRequested(() => abort.abort());
      try {
        return { result: await daemonJson<OptimizeResult>(info, 'POST', '/v1/optimize', {}, abort.signal) };
      } catch (error) {
        if (token.isCancellationRequested) return { cancelled: true as const };
        if (error instanceof DaemonHttpError && error.status === 404) return { missing: true as const };
        throw error;
      } finally {
        subscription.dispose();
      }
    },
  );
  if ('cancelled' in outcome) {
    void vscode.window.showInformationMessage('Flowtune: optimization cancelled here (a cycle already under way finishes in the daemon).');
    return 'cancelled';
  }
  if ('missing' in outcome) {
    void vscode.window.showWarningMessage('Flowtune: this daemon has no optimizer (POST /v1/optimize is missing). Update Flowtune and restart the daemon.');
    return 'optimizer unavailable';
  }
  const summary = optimizeSummary(outcome.result);
  void vscode.window.showInformationMessage(summary, 'Open Dashboard').then((choice) => {
    if (choice === 'Open Dashboard') void vscode.commands.executeCommand('flowtune.showDashboard');
  });
  return summary;
}

async function showDashboard(_ctx: FlowtuneContext): Promise<string | undefined> {
  // The dashboard asks the daemon for its own data and shows its own "not connected" state.
  return DashboardPanel.show() ? 'shown' : 'not ready';
}

async function rollbackLastOptimization(ctx: FlowtuneContext): Promise<string | undefined> {
  const info = ctx.requireDaemon('roll back');
  if (!info) return 'daemon unavailable';
  try {
    const result = await daemonJson<{ recommendation?: { title?: string } }>(info, 'POST', '/v1/rollback', {});
    const message = `Flowtune: rolled back "${result.recommendation?.title ?? 'the last change'}".`;
    void vscode.window.showInformationMessage(message);
    return message;
  } catch (error) {
    if (error instanceof DaemonHttpError && error.status === 404) {
      const message = /no route/.test(error.message) ? 'this daemon cannot roll back yet (update Flowtune)' : error.message;
      void vscode.window.showInformationMessage(`Flowtune: nothing rolled back — ${message}.`);
      return `nothing to roll back: ${message}`;
    }
    throw error;
  }
}

async function restartDaemon(ctx: FlowtuneContext): Promise<string | undefined> {
  if (!ctx.connection) {
    void vscode.window.showWarningMessage('Flowtune: open the folder that holds flowtune.config.json first.');
    return 'no folder';
  }
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Flowtune: restarting the daemon' }, () => ctx.connection?.restartDaemon() ?? Promise.resolve());
  const state = ctx.connection.state;
  if (state.kind !== 'connected') {
    void vscode.window.showErrorMessage(`Flowtune: the daemon did not come back: ${state.kind === 'down' ? `${state.reason}. ${state.hint}` : 'still starting'}`);
    return 'failed';
  }
  return `restarted (pid ${state.info.pid})`;
}

async function copyRunEnvironment(ctx: FlowtuneContext): Promise<string | undefined> {
  const info = ctx.requireDaemon('copy the run environment');
  if (!info) return 'daemon unavailable';
  await vscode.env.clipboard.writeText(exportLines(terminalVariables(info)) + '\n');
  void vscode.window.showInformationMessage('Flowtune: run environment copied. Paste it in any shell; programs started there report to this workspace.');
  return 'copied';
}

async function openReport(ctx: FlowtuneContext): Promise<string | undefined> {
  const info = ctx.requireDaemon('open the report');
  if (!info) return 'daemon unavailable';
  try {
    const report = await daemonJson<EvolutionReport>(info, 'GET', '/v1/report');
    const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: reportMarkdown(report) });
    await vscode.window.showTextDocument(document, { preview: false });
    return 'opened';
  } catch (error) {
    if (error instanceof DaemonHttpError && error.status === 404) {
      void vscode.window.showWarningMessage('Flowtune: this daemon has no report yet (GET /v1/report is missing). Update Flowtune and restart the daemon.');
      return 'report unavailable';
    }
    throw error;
  }
}

async function decide(ctx: FlowtuneContext, decision: 'accept' | 'dismiss', id: unknown): Promise<string | undefined> {
  const client = ctx.connection?.languageClient;
  if (typeof id !== 'string') return 'no recommendation id';
  if (!client) {
    ctx.requireDaemon(decision === 'accept' ? 'record the acceptance' : 'dismiss the recommendation');
    return 'daemon unavailable';
  }
  const result = await client.sendRequest(decision === 'accept' ? acceptRecommendationRequest : dismissRecommendationRequest, { id });
  if (!result.ok) void vscode.window.showWarningMessage(`Flowtune: ${result.message}`);
  else if (decision === 'dismiss') void vscode.window.showInformationMessage('Flowtune: recommendation dismissed.');
  return result.ok ? (result.state ?? decision) : `refused: ${result.message}`;
}

/** "Explain this worker": the daemon's analysis (model or rules) as a read-only markdown preview. */
async function explainWorker(ctx: FlowtuneContext, workerArg: unknown): Promise<string | undefined> {
  const info = ctx.requireDaemon('explain a worker');
  if (!info) return 'daemon unavailable';
  const worker = typeof workerArg === 'string' && workerArg ? workerArg : await vscode.window.showInputBox({ title: 'Flowtune: explain which worker?', prompt: 'The worker name (x-flowtune-worker)' });
  if (!worker) return 'no worker';
  const analysis = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Flowtune: analysing ${worker}…` },
    () => daemonJson<WorkerPerformanceAnalysis>(info, 'POST', '/v1/analyze/worker-performance', { worker_name: worker }),
  );
  const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: insightsMarkdown(analysis) });
  await vscode.commands.executeCommand('markdown.showPreview', document.uri);
  return `explained ${worker}: ${analysis.recommendations.length} recommendations (${analysis.source})`;
}
