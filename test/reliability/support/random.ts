/** A seeded PRNG (mulberry32): a failing run is replayed with RELIABILITY_SEED=<the seed it printed>. */
export function seededRandom(label: string): {
  seed: number;
  next: () => number;
  int: (max: number) => number;
} {
  const seed = process.env.RELIABILITY_SEED ? Number(process.env.RELIABILITY_SEED) : Date.now() % 2 ** 31;
  let state = seed ^ hash(label);
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { seed, next, int: (max: number) => Math.floor(next() * max) };
}

function hash(text: string): number {
  let value = 0;
  for (const char of text) value = (Math.imul(value, 31) + char.charCodeAt(0)) | 0;
  return value;
}
