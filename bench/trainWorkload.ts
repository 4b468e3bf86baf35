// The bench:train workload, shared by both systems: its shape, the peer's FLOP count, and the
// peer's token stream (torch.randint over MT19937), so loraledger trains on the same tokens.
//
// Glossary: B rows, T tokens per row, N = B*T, D hidden, I intermediate, H/Hkv heads, Dh head
// size, V vocab, L layers, R rank, P_lin matmul weights a token passes through.
import type { TrainingBatch } from '../kernels/index.ts';
import { LORA_TARGETS, targetShape, type ModelSpec, type WeightPrecision } from '../kernels/model/index.ts';

export interface Workload {
  modelDir: string;
  cacheDir: string;
  threads: number;
  batch: number; // B
  seq: number; // T
  rank: number; // R
  warmup: number;
  steps: number;
  seed: number;
  /** OMP_WAIT_POLICY of the PyTorch process ('' = its default). */
  ompWaitPolicy: string;
  /** loraledger's frozen base (the PyTorch peer is always fp32). */
  precision: WeightPrecision;
}

/** The peer's FLOP count of one step (torchLora.md): 4·P_lin·N + 6·N·R·L·Σ(d_in+d_out) + 12·B·T²·H·Dh·L. */
export function trainFlops(spec: ModelSpec, w: Pick<Workload, 'batch' | 'seq' | 'rank'>) {
  const { hiddenSize: D, intermediateSize: I, numHeads: H, numKvHeads: Hkv, headDim: Dh, numLayers: L } = spec;
  const N = w.batch * w.seq;
  const pLin = L * (D * H * Dh + 2 * D * Hkv * Dh + H * Dh * D + 3 * D * I) + spec.vocabSize * D;
  const sumDims = LORA_TARGETS.reduce((s, t) => s + targetShape(spec, t)[0] + targetShape(spec, t)[1], 0);
  const parts = {
    base: 4 * pLin * N,
    lora: 6 * N * w.rank * L * sumDims,
    attention: 12 * w.batch * w.seq ** 2 * H * Dh * L,
  };
  return { pLin, parts, total: parts.base + parts.lora + parts.attention };
}

/** MT19937 (32-bit), seeded as torch's CPU generator (manual_seed) seeds it. */
export class Mt19937 {
  private readonly s = new Uint32Array(624);
  private i = 624;
  constructor(seed: number) {
    this.s[0] = seed >>> 0;
    for (let j = 1; j < 624; j++) {
      const x = this.s[j - 1]! ^ (this.s[j - 1]! >>> 30);
      this.s[j] = (Math.imul(1812433253, x) + j) >>> 0;
    }
  }
  next(): number {
    if (this.i >= 624) {
      for (let j = 0; j < 624; j++) {
        const y = (this.s[j]! & 0x80000000) | (this.s[(j + 1) % 624]! & 0x7fffffff);
        this.s[j] = this.s[(j + 397) % 624]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.i = 0;
    }
    let y = this.s[this.i++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    return (y ^ (y >>> 18)) >>> 0;
  }
}

/** The peer's next batch: a [B, T+1] block of torch.randint(0, V), inputs [:, :T], labels [:, 1:]. */
export function randomBatch(rng: Mt19937, vocab: number, B: number, T: number): TrainingBatch {
  const inputIds = new BigInt64Array(B * T); // [B, T]
  const labels = new BigInt64Array(B * T); // [B, T]
  for (let b = 0; b < B; b++) {
    for (let t = 0; t <= T; t++) {
      const tok = BigInt(rng.next() % vocab);
      if (t < T) inputIds[b * T + t] = tok;
      if (t > 0) labels[b * T + t - 1] = tok;
    }
  }
  const lossMask = new Float32Array(B * T).fill(1); // [B, T]
  return { rows: B, width: T, inputIds, labels, lossMask, seqLen: new BigInt64Array(B).fill(BigInt(T)) };
}
