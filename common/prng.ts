// A tiny seeded pseudo-random generator for fixtures, generated models and sampling tests.
// mulberry32 (32-bit state, period 2^32): fast, deterministic across platforms, NOT cryptographic.
//
// Usage: const rng = new Prng(42); rng.next() in [0, 1); rng.normal() ~ N(0, 1);
//        rng.fillUniform(arr, std) fills with a zero-mean uniform of the given standard deviation.

/** Returns a function giving uniform floats in [0, 1), seeded (Tommy Ettinger's mulberry32). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Prng {
  private state: number;
  private spare: number | null = null;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box-Muller, caches the second value). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    const u = 1 - this.next(); // (0, 1]
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fills `out` with zero-mean uniform noise of standard deviation `std` (fast: one draw per value). */
  fillUniform(out: Float32Array, std: number, mean = 0): Float32Array {
    const half = std * Math.sqrt(3); // uniform on [-half, half] has std half/sqrt(3)
    let s = this.state;
    for (let i = 0; i < out.length; i++) {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      out[i] = mean + half * (2 * (((t ^ (t >>> 14)) >>> 0) / 4294967296) - 1);
    }
    this.state = s;
    return out;
  }

  /** Fills `out` with normal noise N(mean, std^2). */
  fillNormal(out: Float32Array, std: number, mean = 0): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.normal();
    return out;
  }
}
