// Deterministic assignment of a request to one arm of a traffic split. The same run id always lands
// on the same arm (a run sees one variant throughout), different salts reshuffle independently, and
// the share of ids per arm follows the weights.
import { createHash } from 'node:crypto';

export interface WeightedArm {
  name: string;
  weight: number;
}

/** A uniform number in [0, 1) derived from the salt and the unit id (first 52 bits of SHA-256). */
export function unitHash(salt: string, unitId: string): number {
  const digest = createHash('sha256').update(`${salt}\u0000${unitId}`).digest();
  // 52 bits fit a double exactly: 4 bytes high, 20 bits low.
  const high = digest.readUInt32BE(0);
  const low = digest.readUInt32BE(4) >>> 12;
  return (high * 2 ** 20 + low) / 2 ** 52;
}

/** The arm for this unit, by cumulative weight. Arms with zero or negative weight are never chosen. */
export function assignArm<T extends WeightedArm>(arms: readonly T[], salt: string, unitId: string): T | undefined {
  const eligible = arms.filter((arm) => arm.weight > 0 && Number.isFinite(arm.weight));
  if (eligible.length === 0) return undefined;
  const total = eligible.reduce((sum, arm) => sum + arm.weight, 0);
  const point = unitHash(salt, unitId) * total;
  let cumulative = 0;
  for (const arm of eligible) {
    cumulative += arm.weight;
    if (point < cumulative) return arm;
  }
  return eligible[eligible.length - 1];
}
