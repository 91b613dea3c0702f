// The proxy's response cache and the request-hash log behind the duplicate rate. Only complete,
// successful responses are stored (the caller decides; errors never reach here). Bodies are kept
// decoded, so a hit can be served to any client whatever encoding it accepts.
import type Database from 'better-sqlite3';
import type { ResponseSummary } from './responseSummary';

export interface CacheEntry {
  cacheKey: string;
  worker: string;
  callId: string;
  httpStatus: number;
  headers: Record<string, string>;
  body: Buffer;
  stream: boolean;
  summary: ResponseSummary;
  latencyMs: number | null;
  createdAt: number;
  expiresAt: number;
}

export interface CacheHitRecord {
  callId: string;
  worker: string;
  cacheKey: string;
  sourceCallId: string;
  savedMs: number | null;
  at: number;
}

interface CacheRow {
  cache_key: string;
  worker: string | null;
  call_id: string;
  http_status: number;
  headers: string;
  body: Buffer;
  stream: number;
  summary: string;
  latency_ms: number | null;
  created_at: number;
  expires_at: number;
}

const PURGE_EVERY_WRITES = 500;
/** Request hashes older than this carry no information the duplicate rate is asked about. */
export const REQUEST_HASH_RETENTION_MS = 30 * 86_400_000;

export class ResponseCache {
  private readonly select: Database.Statement;
  private readonly upsert: Database.Statement;
  private readonly bumpHits: Database.Statement;
  private readonly insertHit: Database.Statement;
  private readonly purgeExpired: Database.Statement;
  private readonly insertHash: Database.Statement;
  private readonly purgeHashes: Database.Statement;
  private writes = 0;

  constructor(private readonly db: Database.Database) {
    this.select = db.prepare('SELECT * FROM proxy_cache WHERE cache_key = ? AND expires_at > ?');
    this.upsert = db.prepare(`
      INSERT INTO proxy_cache (cache_key, worker, call_id, http_status, headers, body, stream, summary, latency_ms, created_at, expires_at)
      VALUES (@cacheKey, @worker, @callId, @httpStatus, @headers, @body, @stream, @summary, @latencyMs, @createdAt, @expiresAt)
      ON CONFLICT(cache_key) DO UPDATE SET worker = excluded.worker, call_id = excluded.call_id, http_status = excluded.http_status,
        headers = excluded.headers, body = excluded.body, stream = excluded.stream, summary = excluded.summary,
        latency_ms = excluded.latency_ms, created_at = excluded.created_at, expires_at = excluded.expires_at, hits = 0`);
    this.bumpHits = db.prepare('UPDATE proxy_cache SET hits = hits + 1 WHERE cache_key = ?');
    // The saving is the cost the original call was priced at (the writer priced it when it was recorded).
    this.insertHit = db.prepare(`
      INSERT OR IGNORE INTO proxy_cache_hits (call_id, worker, cache_key, source_call_id, saved_usd, saved_ms, at)
      VALUES (@callId, @worker, @cacheKey, @sourceCallId, (SELECT cost_usd FROM calls WHERE id = @sourceCallId), @savedMs, @at)`);
    this.purgeExpired = db.prepare('DELETE FROM proxy_cache WHERE expires_at <= ?');
    this.insertHash = db.prepare('INSERT INTO proxy_request_hashes (worker, request_hash, at) VALUES (?, ?, ?)');
    this.purgeHashes = db.prepare('DELETE FROM proxy_request_hashes WHERE at < ?');
  }

  lookup(cacheKey: string, now = Date.now()): CacheEntry | null {
    const row = this.select.get(cacheKey, now) as CacheRow | undefined;
    if (!row) return null;
    return {
      cacheKey: row.cache_key,
      worker: row.worker ?? '',
      callId: row.call_id,
      httpStatus: row.http_status,
      headers: JSON.parse(row.headers) as Record<string, string>,
      body: row.body,
      stream: row.stream === 1,
      summary: JSON.parse(row.summary) as ResponseSummary,
      latencyMs: row.latency_ms,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
    };
  }

  store(entry: CacheEntry): void {
    this.upsert.run({
      cacheKey: entry.cacheKey,
      worker: entry.worker,
      callId: entry.callId,
      httpStatus: entry.httpStatus,
      headers: JSON.stringify(entry.headers),
      body: entry.body,
      stream: entry.stream ? 1 : 0,
      summary: JSON.stringify(entry.summary),
      latencyMs: entry.latencyMs,
      createdAt: entry.createdAt,
      expiresAt: entry.expiresAt,
    });
    this.maybePurge(entry.createdAt);
  }

  /** Call after the hit's own call row is written, so the saving can be read from the source call. */
  recordHit(hit: CacheHitRecord): void {
    this.db.transaction(() => {
      this.bumpHits.run(hit.cacheKey);
      this.insertHit.run(hit);
    })();
  }

  noteRequest(worker: string, hash: string, at = Date.now()): void {
    this.insertHash.run(worker, hash, at);
    this.maybePurge(at);
  }

  private maybePurge(now: number): void {
    if (++this.writes % PURGE_EVERY_WRITES !== 0) return;
    this.purgeExpired.run(now);
    this.purgeHashes.run(now - REQUEST_HASH_RETENTION_MS);
  }
}

export interface DuplicateRate {
  worker: string;
  requests: number;
  distinct: number;
  /** Share of requests that repeat an earlier request in the window: the hit rate of a perfect cache. */
  rate: number;
}

/** Duplicate-request rate of one worker over the `windowMs` before `now`, cache on or off. */
export function duplicateRate(db: Database.Database, worker: string, windowMs: number, now = Date.now()): DuplicateRate {
  const row = db
    .prepare('SELECT COUNT(*) AS requests, COUNT(DISTINCT request_hash) AS distinct_hashes FROM proxy_request_hashes WHERE worker = ? AND at > ? AND at <= ?')
    .get(worker, now - windowMs, now) as { requests: number; distinct_hashes: number };
  const requests = row.requests;
  return { worker, requests, distinct: row.distinct_hashes, rate: requests === 0 ? 0 : (requests - row.distinct_hashes) / requests };
}

export interface CacheSavings {
  worker: string;
  hits: number;
  savedUsd: number;
  savedMs: number;
}

/** What the cache saved one worker (or every worker when `worker` is undefined) since `since`. */
export function cacheSavings(db: Database.Database, since: number, worker?: string): CacheSavings[] {
  const rows = db
    .prepare(
      `SELECT worker, COUNT(*) AS hits, COALESCE(SUM(saved_usd), 0) AS savedUsd, COALESCE(SUM(saved_ms), 0) AS savedMs
       FROM proxy_cache_hits WHERE at >= ? AND (? IS NULL OR worker = ?) GROUP BY worker ORDER BY worker`,
    )
    .all(since, worker ?? null, worker ?? null) as CacheSavings[];
  return rows;
}
