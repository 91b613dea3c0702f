// Seeded randomness for the benchmark's synthetic data: the same seed gives the same spans and calls,
// so two runs of `npm run bench` measure the same work.

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  int(maxExclusive: number): number;
  pick<T>(items: readonly T[]): T;
  /** Log-normal with the given median and log-scale sigma. */
  logNormal(median: number, sigma: number): number;
  /** `bytes` random bytes as lowercase hex. */
  hex(bytes: number): string;
}

export function createRng(seed: number): Rng {
  // mulberry32: small, fast and good enough for test data.
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => {
    const u = 1 - next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
  };
  return {
    next,
    int: (maxExclusive) => Math.floor(next() * maxExclusive),
    pick: (items) => items[Math.floor(next() * items.length)],
    logNormal: (median, sigma) => median * Math.exp(sigma * normal()),
    hex: (bytes) => {
      let out = '';
      for (let i = 0; i < bytes; i += 4) {
        const word = Math.floor(next() * 4294967296);
        out += word.toString(16).padStart(8, '0');
      }
      return out.slice(0, bytes * 2);
    },
  };
}

const WORDS = (
  'the a report customer invoice summary table quarterly revenue growth decline region product support ticket ' +
  'refund policy shipping delay order account balance contract clause risk review analysis forecast model data ' +
  'please extract list the key points from following document and return json with fields name date amount status ' +
  'reason priority owner next steps because however therefore additionally meanwhile result confirmed pending'
).split(' ');

/** Text of roughly `chars` characters made of plausible words (not one repeated string). */
export function proseText(rng: Rng, chars: number): string {
  let out = '';
  while (out.length < chars) out += (out ? ' ' : '') + rng.pick(WORDS);
  return out;
}
