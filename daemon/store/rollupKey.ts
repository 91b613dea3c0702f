// How a call maps onto its hourly rollup row. Missing dimensions get a visible placeholder so they group.

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
export const UNKNOWN_DIMENSION = '(unknown)';

export interface RollupDimensions {
  worker: string;
  model: string;
  promptVersion: string;
  bucketStart: number;
}

export function hourBucket(epochMs: number): number {
  return Math.floor(epochMs / HOUR_MS) * HOUR_MS;
}

export function rollupDimensions(call: {
  worker?: string | null;
  requestModel?: string | null;
  responseModel?: string | null;
  promptVersion?: string | null;
  promptFingerprint?: string | null;
  startedAt: number;
}): RollupDimensions {
  return {
    worker: call.worker || UNKNOWN_DIMENSION,
    model: call.requestModel || call.responseModel || UNKNOWN_DIMENSION,
    // Without a declared version, the template fingerprint is the prompt's version.
    promptVersion: call.promptVersion || (call.promptFingerprint ? `fp:${call.promptFingerprint.slice(0, 12)}` : UNKNOWN_DIMENSION),
    bucketStart: hourBucket(call.startedAt),
  };
}

export function rollupKeyString(d: RollupDimensions): string {
  return `${d.worker}\u0000${d.model}\u0000${d.promptVersion}\u0000${d.bucketStart}`;
}
