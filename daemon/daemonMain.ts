// Starting and stopping the daemon: lock the data dir, open the store, listen on loopback, publish
// daemon.json, and on SIGTERM/SIGINT close cleanly with everything acknowledged already on disk.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_MAX_BODY_BYTES, type DaemonContext } from './daemonContext';
import { acquireDataDirLock, removeDaemonInfo, writeDaemonInfo } from './daemonFile';
import { createLogger, type Logger } from './log';
import { attachLspServer } from './lsp/lspUpgrade';
import { createCostEstimator } from './pricing/costEstimator';
import { configPathFor, loadProjectConfig } from './projectConfig';
import { createHttpServer } from './server/httpServer';
import { BatchWriter } from './store/batchWriter';
import { STORE_FILE_NAME, openStore } from './store/connection';
import { applyRetention } from './store/retention';
import { startWalCheckpointer } from './store/walCheckpointer';
import { anomalyWatcherFor } from './watch/anomalyWatcher';
import { engineFor } from './optimize/engine';

export const FLOWTUNE_VERSION = '0.1.0';
export const LOG_FILE_NAME = 'daemon.log';
const RETENTION_INTERVAL_MS = 3_600_000;
const PENDING_ROLLUP_GRACE_MS = 120_000;

export interface DaemonOptions {
  port: number;
  dataDir: string;
  upstream?: string;
  configFile?: string;
  maxBodyBytes?: number;
  /** Echo log lines to stderr (the CLI does; embedded test daemons may not). */
  logToStderr?: boolean;
}

export interface RunningDaemon {
  ctx: DaemonContext;
  server: FastifyInstance;
  stop(): Promise<void>;
}

export async function startDaemon(options: DaemonOptions): Promise<RunningDaemon> {
  const dataDir = path.resolve(options.dataDir);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const releaseLock = acquireDataDirLock(dataDir);
  const logger = createLogger({ file: path.join(dataDir, LOG_FILE_NAME), stderr: options.logToStderr ?? true });
  let startedCheckpointer: { stop(): Promise<void> } | null = null;
  let openedDb: Database.Database | null = null;
  try {
    const configFile = options.configFile ?? configPathFor(dataDir);
    const loaded = loadProjectConfig(configFile);
    if (loaded.error) logger.error(`project config: ${loaded.error}`);
    const db = openStore(dataDir);
    openedDb = db;
    const checkpointer = process.env.FLOWTUNE_WAL_WORKER === '0' ? null : startWalCheckpointer(db, path.join(dataDir, STORE_FILE_NAME), logger);
    startedCheckpointer = checkpointer;
    const costs = createCostEstimator(loaded.config.prices_file ? path.resolve(path.dirname(configFile), loaded.config.prices_file) : undefined);
    for (const warning of costs.warnings) logger.warn(warning);
    // A call to a model the price table does not know asks the upstream for its listing (once): a
    // provider that prices its models in GET /models is then costed from its next calls on.
    let onUnpriced: () => void = () => undefined;
    const costFor: typeof costs.costFor = (call) => {
      const cost = costs.costFor(call);
      if (cost === null && (call.inputTokens != null || call.outputTokens != null)) onUnpriced();
      return cost;
    };
    const writer = new BatchWriter(db, { contentMode: loaded.config.storage.content, costFor });
    const token = randomBytes(24).toString('base64url');
    const ctx: DaemonContext = {
      dataDir,
      port: options.port,
      token,
      startedAt: Date.now(),
      db,
      writer,
      prices: costs.table,
      logger,
      config: loaded.config,
      configError: loaded.error,
      upstream: options.upstream ?? loaded.config.upstream ?? null,
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      schemaVersion: db.pragma('user_version', { simple: true }) as number,
      version: FLOWTUNE_VERSION,
    };
    const server = createHttpServer(ctx);
    if (ctx.upstream) {
      let asked = false;
      onUnpriced = () => {
        if (asked) return;
        asked = true;
        void engineFor(ctx).upstreamModels();
      };
    }
    attachLspServer(server, ctx);
    await server.listen({ host: '127.0.0.1', port: options.port });
    const address = server.server.address();
    if (address && typeof address === 'object') ctx.port = address.port;
    writeDaemonInfo(dataDir, { pid: process.pid, port: ctx.port, token });
    logger.info(`flowtune daemon listening on 127.0.0.1:${ctx.port}`, { dataDir, upstream: ctx.upstream });

    const retentionPolicy = {
      rawDays: loaded.config.storage.retention_days,
      rollupDays: loaded.config.storage.rollup_retention_days,
    };
    const runRetention = () => {
      try {
        const removed = applyRetention(db, retentionPolicy);
        if (removed.calls + removed.runs + removed.rollups > 0) logger.info('retention applied', { ...removed });
      } catch (error) {
        logger.error('retention failed', { error: (error as Error).message });
      }
    };
    runRetention();
    const retentionTimer = setInterval(runRetention, RETENTION_INTERVAL_MS);
    retentionTimer.unref();
    // Calls held out of the rollups for a parent span: after a restart their links are forgotten, so
    // they join now; while running, those whose parent is over two minutes late join every 15 s.
    writer.flushPendingRollups(Number.POSITIVE_INFINITY);
    const pendingTimer = setInterval(() => {
      try {
        writer.flushPendingRollups(Date.now() - PENDING_ROLLUP_GRACE_MS);
      } catch (error) {
        logger.error('flushing pending rollups failed', { error: (error as Error).message });
      }
    }, 15_000);
    pendingTimer.unref();
    const watcher = anomalyWatcherFor(ctx);
    if (loaded.config.watch.interval_seconds > 0) watcher.start(loaded.config.watch.interval_seconds * 1000);

    let stopping: Promise<void> | null = null;
    const stop = () => {
      stopping ??= (async () => {
        clearInterval(retentionTimer);
        clearInterval(pendingTimer);
        watcher.stop();
        await server.close();
        removeDaemonInfo(dataDir);
        await checkpointer?.stop();
        try {
          db.pragma('wal_checkpoint(TRUNCATE)');
        } catch (error) {
          logger.warn('checkpoint on shutdown failed', { error: (error as Error).message });
        }
        db.close();
        logger.info('flowtune daemon stopped');
        logger.close();
        releaseLock();
      })();
      return stopping;
    };
    return { ctx, server, stop };
  } catch (error) {
    logger.error(`daemon failed to start: ${(error as Error).message}`);
    await startedCheckpointer?.stop();
    if (openedDb?.open) openedDb.close();
    logger.close();
    releaseLock();
    throw error;
  }
}

/** Stop on SIGTERM/SIGINT; a second signal forces the exit. */
export function stopOnSignals(daemon: RunningDaemon, logger: Logger): void {
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) process.exit(1);
    signalled = true;
    logger.info(`received ${signal}, shutting down`);
    daemon.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(`shutdown failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
