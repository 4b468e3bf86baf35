// Independent seeds for independent random streams (the split, each epoch's shuffle, each LoRA
// matrix) from one job seed, so adding a stream never shifts another: a murmur3-style mix of
// the seed and the stream's coordinates into a 32-bit Prng seed.

/** A 32-bit seed for the stream at `parts` of `seed` (same inputs, same seed). */
export function deriveSeed(seed: number, ...parts: number[]): number {
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b);
  for (const p of [...parts, parts.length]) {
    h ^= p >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}
