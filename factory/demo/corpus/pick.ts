// Seeded choices for the corpus templates (common/prng.ts: the same seed gives the same corpus).
import type { Prng } from '../../../common/index.ts';

/** One element of `items`, chosen by `rng`. */
export function pick<T>(rng: Prng, items: readonly T[]): T {
  if (items.length === 0) throw new RangeError('pick from an empty list');
  return items[rng.int(items.length)]!;
}

/** A shuffled copy of `items` (Fisher-Yates). */
export function shuffled<T>(rng: Prng, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
