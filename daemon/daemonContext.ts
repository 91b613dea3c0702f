// Everything a request handler needs, created once at start-up and passed down explicitly.
import type Database from 'better-sqlite3';
import type { ProjectConfig } from '../shared/config';
import type { Logger } from './log';
import type { PriceTable } from './pricing/priceTable';
import type { BatchWriter } from './store/batchWriter';

export interface DaemonContext {
  dataDir: string;
  port: number;
  token: string;
  startedAt: number;
  db: Database.Database;
  writer: BatchWriter;
  /** The price table calls are costed with (snapshot, override file, prices the upstream lists). */
  prices: PriceTable;
  logger: Logger;
  config: ProjectConfig;
  /** Why the project config could not be used (the defaults are in force), or null. */
  configError: string | null;
  /** Upstream model provider origin for the proxy, e.g. https://api.openai.com/v1. */
  upstream: string | null;
  /** Largest request body accepted, measured after decompression. */
  maxBodyBytes: number;
  schemaVersion: number;
  version: string;
}

export const DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024;
