// One editor window's language-server session: documents, features, custom requests, and pushing
// updates when anomalies, recommendations or measurements change (daemon events, plus a cheap store
// fingerprint poll for writers in other processes).
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { CodeActionKind, CodeLensRefreshRequest, TextDocuments, TextDocumentSyncKind, type Connection, type InitializeResult } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DATA_DIR_NAME } from '../../shared/config';
import type { Severity } from '../../shared/domain';
import {
  acceptRecommendationRequest,
  dismissRecommendationRequest,
  setSecretsRequest,
  statusChangedNotification,
  workspaceStatusRequest,
  type AnomalySummary,
  type WorkspaceStatus,
} from '../../shared/protocol';
import type { DaemonContext } from '../daemonContext';
import { daemonEvents } from '../events';
import { heldSecretNames, setSecret, type SecretName } from '../secrets';
import { workspaceAnchors, type Anchor } from './anchors';
import { documentCodeActions, documentCodeLenses, documentDiagnostics, documentHover } from './documentFeatures';
import { decideRecommendation } from './recommendationDecisions';
import { editsForRecommendation } from './recommendationEdits';
import { readStoreFacts, storeFingerprint, type StoreFacts } from './storeFacts';
import { WorkspaceIndex, type WorkspaceSnapshot } from './workspaceIndex';

const FINGERPRINT_POLL_MS = 1000;
const DOCUMENT_DEBOUNCE_MS = 250;
const INGEST_DEBOUNCE_MS = 2000;

interface Model {
  workspace: WorkspaceSnapshot;
  facts: StoreFacts;
  anchors: Anchor[];
}

export function serveLspSession(connection: Connection, ctx: DaemonContext, app: FastifyInstance): () => void {
  const documents = new TextDocuments(TextDocument);
  let index: WorkspaceIndex | null = null;
  let cached: Model | null = null;
  let codeLensRefresh = false;
  let published = new Set<string>();
  let lastStatus = '';
  let lastFingerprint = { findings: '', calls: 0 };
  const timers = new Set<NodeJS.Timeout>();
  const unsubscribers: Array<() => void> = [];
  let disposed = false;

  const model = (): Model => {
    if (cached) return cached;
    const workspaceIndex = index ?? new WorkspaceIndex([daemonRoot(ctx)], (uri) => documents.get(uri)?.getText());
    const facts = readStoreFacts(ctx.db);
    const workspace = workspaceIndex.snapshot(facts.attributions);
    cached = { workspace, facts, anchors: workspaceAnchors(workspace, (file) => workspaceIndex.readText(file)) };
    return cached;
  };

  const publish = () => {
    if (disposed) return;
    cached = null;
    let current: Model;
    try {
      current = model();
    } catch (error) {
      ctx.logger.error('language server: cannot read the store', { error: (error as Error).message });
      return;
    }
    const uris = new Set(current.anchors.map((anchor) => anchor.uri));
    for (const uri of new Set([...uris, ...published])) {
      void connection.sendDiagnostics({ uri, diagnostics: documentDiagnostics(uri, current.anchors, current.facts) });
    }
    published = uris;
    if (codeLensRefresh) void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
    const status = workspaceStatus(current, ctx);
    const statusKey = JSON.stringify(status.anomalies) + status.openRecommendations;
    if (statusKey !== lastStatus) {
      lastStatus = statusKey;
      void connection.sendNotification(statusChangedNotification, status);
    }
  };

  const debounced = (delay: number) => {
    let timer: NodeJS.Timeout | null = null;
    return () => {
      cached = null;
      if (timer) return;
      timer = setTimeout(() => {
        if (timer) timers.delete(timer);
        timer = null;
        publish();
      }, delay);
      timers.add(timer);
    };
  };
  const publishSoon = debounced(DOCUMENT_DEBOUNCE_MS);
  const publishAfterIngest = debounced(INGEST_DEBOUNCE_MS);

  connection.onInitialize((params): InitializeResult => {
    const roots = (params.workspaceFolders ?? []).map((folder) => fileURLToPath(folder.uri));
    if (roots.length === 0 && params.rootUri) roots.push(fileURLToPath(params.rootUri));
    if (roots.length === 0) roots.push(daemonRoot(ctx));
    index = new WorkspaceIndex(roots, (uri) => documents.get(uri)?.getText());
    codeLensRefresh = params.capabilities.workspace?.codeLens?.refreshSupport === true;
    ctx.logger.info('editor connected to the language server', { roots });
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        codeLensProvider: { resolveProvider: false },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      },
      serverInfo: { name: 'flowtune', version: ctx.version },
    };
  });

  connection.onInitialized(() => {
    publish();
    const events = daemonEvents(ctx);
    unsubscribers.push(events.on('anomaliesChanged', publishSoon), events.on('recommendationsChanged', publishSoon), events.on('callsIngested', publishAfterIngest));
    const poll = setInterval(() => {
      try {
        const fingerprint = storeFingerprint(ctx.db);
        if (fingerprint.findings !== lastFingerprint.findings) publishSoon();
        else if (fingerprint.calls !== lastFingerprint.calls) publishAfterIngest();
        lastFingerprint = fingerprint;
      } catch {
        // the store is closing: the session ends with it
      }
    }, FINGERPRINT_POLL_MS);
    poll.unref();
    timers.add(poll);
  });

  documents.onDidChangeContent(publishSoon);
  documents.onDidClose(publishSoon);

  connection.onCodeLens((params) => {
    const current = model();
    const untagged = current.workspace.callSites.filter((site) => site.uri === params.textDocument.uri && site.worker === null).map((site) => site.site.range);
    return documentCodeLenses(params.textDocument.uri, current.anchors, current.facts, untagged);
  });
  connection.onHover((params) => {
    const current = model();
    return documentHover(params.textDocument.uri, params.position, current.anchors, current.facts);
  });
  connection.onCodeAction((params) => {
    const current = model();
    const readText = (file: string) => (index ?? new WorkspaceIndex([], () => undefined)).readText(file);
    const diagnostics = [...params.context.diagnostics, ...documentDiagnostics(params.textDocument.uri, current.anchors, current.facts)];
    return documentCodeActions(params.textDocument.uri, params.range, current.anchors, current.facts, diagnostics, (recommendation) =>
      editsForRecommendation(recommendation, current.workspace, readText),
    );
  });

  connection.onRequest(workspaceStatusRequest, () => workspaceStatus(model(), ctx));
  connection.onRequest(acceptRecommendationRequest, (params) => decideRecommendation(app, ctx, params.id, 'accept', params.reason));
  connection.onRequest(dismissRecommendationRequest, (params) => decideRecommendation(app, ctx, params.id, 'dismiss', params.reason));
  connection.onRequest(setSecretsRequest, (params) => {
    for (const name of ['judgeApiKey', 'analysisApiKey'] as SecretName[]) {
      const value = params[name];
      if (value !== undefined) setSecret(ctx, name, value);
    }
    ctx.logger.info('secrets received from the editor', { held: heldSecretNames(ctx) });
    return { held: heldSecretNames(ctx) };
  });

  documents.listen(connection);
  connection.listen();

  return () => {
    disposed = true;
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    for (const unsubscribe of unsubscribers) unsubscribe();
  };
}

function daemonRoot(ctx: DaemonContext): string {
  return path.basename(ctx.dataDir) === DATA_DIR_NAME ? path.dirname(ctx.dataDir) : ctx.dataDir;
}

const SEVERITY_ORDER: Severity[] = ['error', 'warning', 'info'];

export function workspaceStatus(current: Model, ctx: DaemonContext): WorkspaceStatus {
  const anomalies: AnomalySummary[] = current.facts.anomalies.map((anomaly) => {
    const anchor =
      current.anchors.find((candidate) => candidate.worker === anomaly.worker && candidate.kind === 'call') ??
      current.anchors.find((candidate) => candidate.worker === anomaly.worker);
    return {
      id: anomaly.id,
      title: anomaly.title,
      severity: anomaly.severity,
      worker: anomaly.worker,
      kind: anomaly.kind,
      lastSeenAt: anomaly.lastSeenAt,
      suspectedCause: anomaly.suspectedCause,
      location: anchor ? { uri: anchor.uri, range: anchor.range } : null,
    };
  });
  const worst = SEVERITY_ORDER.find((severity) => anomalies.some((anomaly) => anomaly.severity === severity)) ?? null;
  return {
    anomalies,
    worstSeverity: worst,
    openRecommendations: current.facts.recommendations.length,
    daemon: { version: ctx.version, pid: process.pid, port: ctx.port, dataDir: ctx.dataDir },
  };
}
