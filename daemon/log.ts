// The daemon's one logger. It never writes to stdout: stdout may carry the LSP stream.
// Lines go to stderr and to `<data-dir>/daemon.log`; secrets are redacted before anything is written.
import * as fs from 'node:fs';
import { redactSecrets } from '../shared/redact';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  close(): void;
}

export interface LoggerOptions {
  file?: string;
  level?: LogLevel;
  /** Also echo to stderr (default true). */
  stderr?: boolean;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const minimum = LEVEL_RANK[options.level ?? (process.env.FLOWTUNE_LOG_LEVEL as LogLevel | undefined) ?? 'info'] ?? 20;
  const fd = options.file ? fs.openSync(options.file, 'a', 0o600) : null;
  const toStderr = options.stderr ?? true;
  const write = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (LEVEL_RANK[level] < minimum) return;
    const extra = fields && Object.keys(fields).length > 0 ? ' ' + safeJson(fields) : '';
    const line = redactSecrets(`${new Date().toISOString()} ${level.toUpperCase()} ${message}${extra}`) + '\n';
    if (toStderr) process.stderr.write(line);
    if (fd !== null) {
      try {
        fs.writeSync(fd, line);
      } catch {
        // A full disk must not take the daemon down with it; stderr still has the line.
      }
    }
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    close: () => {
      if (fd !== null) fs.closeSync(fd);
    },
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return '[unserialisable]';
  }
}

/** A logger that drops everything, for tests and pure callers. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, close() {} };
