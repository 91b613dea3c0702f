// Every custom LSP message between the extension and the daemon's language server, declared once.
// Method names are namespaced `flowtune/…`; each JSDoc line says who sends it to whom.
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';
import type { Severity } from './domain';

/** The HTTP Upgrade that turns a daemon connection into an LSP stream: `GET /v1/lsp`, `Upgrade: flowtune-lsp`. */
export const LSP_UPGRADE_PATH = '/v1/lsp';
export const LSP_UPGRADE_PROTOCOL = 'flowtune-lsp';

/** A place in the workspace (file URI, 0-based positions), where the editor can reveal something. */
export interface CodeLocation {
  uri: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

/** One open anomaly as the status bar and its quick pick show it. */
export interface AnomalySummary {
  id: string;
  title: string;
  severity: Severity;
  worker: string | null;
  kind: string;
  lastSeenAt: number;
  suspectedCause: string | null;
  /** Where the cause is in code (call site, else the worker's config entry); null when not found. */
  location: CodeLocation | null;
}

export interface WorkspaceStatus {
  /** Open anomalies, worst severity first, then most recent. */
  anomalies: AnomalySummary[];
  worstSeverity: Severity | null;
  openRecommendations: number;
  daemon: { version: string; pid: number; port: number; dataDir: string };
}

export interface RecommendationDecisionParams {
  id: string;
  /** Why the human decided (optional, kept in the decision log). */
  reason?: string;
}

export interface RecommendationDecisionResult {
  ok: boolean;
  /** The recommendation's state after the decision (e.g. accepted, dismissed). */
  state: string | null;
  message: string;
}

/** Secrets the daemon needs for judges and analysis; absent keys are left unchanged, null clears one. */
export interface SecretsParams {
  judgeApiKey?: string | null;
  analysisApiKey?: string | null;
}

export interface SecretsResult {
  /** Names of the secrets the daemon now holds in memory (never the values). */
  held: string[];
}

/** Extension → daemon: the open anomalies, recommendation count and daemon identity for the status bar. */
export const workspaceStatusRequest = new RequestType0<WorkspaceStatus, void>('flowtune/workspaceStatus');

/** Daemon → extension: the open anomalies or recommendations changed; carries the new status. */
export const statusChangedNotification = new NotificationType<WorkspaceStatus>('flowtune/statusChanged');

/** Extension → daemon: a human applied a recommendation's quick fix; record the acceptance. */
export const acceptRecommendationRequest = new RequestType<RecommendationDecisionParams, RecommendationDecisionResult, void>(
  'flowtune/acceptRecommendation',
);

/** Extension → daemon: a human dismissed a recommendation; it stops being offered. */
export const dismissRecommendationRequest = new RequestType<RecommendationDecisionParams, RecommendationDecisionResult, void>(
  'flowtune/dismissRecommendation',
);

/** Extension → daemon: API keys from the editor's SecretStorage, kept in the daemon's memory only. */
export const setSecretsRequest = new RequestType<SecretsParams, SecretsResult, void>('flowtune/setSecrets');

/** Command ids the language server puts on code actions; the extension registers them in its one command table. */
export const ACCEPT_RECOMMENDATION_COMMAND = 'flowtune.acceptRecommendation';
export const DISMISS_RECOMMENDATION_COMMAND = 'flowtune.dismissRecommendation';
/** Command id of "Explain this worker" (lens and hover link; argument: the worker name): shows the AI insights analysis. */
export const EXPLAIN_WORKER_COMMAND = 'flowtune.explainWorker';
