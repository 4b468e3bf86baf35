// Seeded random LoRA adapters (AdapterWeights, already oriented A [Din, R], B [R, Dout]) for tests.
import type { AdapterWeights, LoraPair } from '../../kernels/model/index.ts';
import { Prng } from '../../common/index.ts';
import { targetShape, type LoraTarget, type ModelSpec } from '../../kernels/model/index.ts';

export function randomAdapter(
  spec: ModelSpec,
  opts: { id: string; seed: number; rank: number; targets: LoraTarget[]; scale?: number; std?: number },
): AdapterWeights {
  const rng = new Prng(opts.seed);
  let bytes = 0;
  const layers: Array<Map<LoraTarget, LoraPair>> = [];
  for (let l = 0; l < spec.numLayers; l++) {
    const m = new Map<LoraTarget, LoraPair>();
    for (const t of opts.targets) {
      const [din, dout] = targetShape(spec, t);
      const a = rng.fillUniform(new Float32Array(din * opts.rank), 1 / Math.sqrt(din)); // [Din, R]
      const b = rng.fillUniform(new Float32Array(opts.rank * dout), opts.std ?? 0.5); // [R, Dout]
      m.set(t, { a, b });
      bytes += a.byteLength + b.byteLength;
    }
    layers.push(m);
  }
  return { id: opts.id, rank: opts.rank, scale: opts.scale ?? 2, targets: opts.targets, layers, bytes };
}
