// A fresh LoRA adapter as PEFT initialises one (init_lora_weights=True, LoraLayer.reset_lora_parameters):
//   lora_A.weight [R, Din] ~ kaiming_uniform_(a = sqrt(5)):
//       gain = sqrt(2 / (1 + a^2)) = sqrt(1/3),  bound = gain * sqrt(3 / fan_in) = 1 / sqrt(Din)
//       so A ~ U(-1/sqrt(Din), 1/sqrt(Din))   (fan_in of a [R, Din] weight is Din)
//   lora_B.weight [Dout, R] = 0               (the adapter starts as a no-op)
// Returned in the orientation the engine and the reference forward use (kernels/model/loraWeights.ts):
// a [Din, R], b [R, Dout]. The values are drawn straight in that order, from a Prng seeded by
// (seed, layer, target), so a matrix does not depend on which other targets or layers exist.
//
// Glossary: Din/Dout in/out features of the targeted projection, R rank, L layers.
import { Prng, RequestError } from '../../common/index.ts';
import {
  LORA_TARGETS,
  targetShape,
  type AdapterWeights,
  type LoraPair,
  type LoraTarget,
  type ModelSpec,
} from '../../kernels/model/index.ts';
import { deriveSeed } from './deriveSeed.ts';

/** Stream id for deriveSeed. */
const INIT_STREAM = 3;

export interface InitLoraOptions {
  spec: ModelSpec;
  /** R. */
  rank: number;
  /** Projections to adapt (PEFT target_modules). */
  targets: readonly LoraTarget[];
  seed: number;
  /** lora_alpha. Default 8 (PEFT's). */
  alpha?: number;
  /** Scale alpha / sqrt(R) instead of alpha / R. Default false. */
  useRslora?: boolean;
  /** The adapter id. Default `new`. */
  id?: string;
}

/** A and B of one projection: A ~ U(-1/sqrt(Din), 1/sqrt(Din)), B = 0. */
export function initLoraPair(din: number, dout: number, rank: number, rng: Prng): LoraPair {
  const bound = 1 / Math.sqrt(din);
  const a = new Float32Array(din * rank); // [Din, R]
  for (let i = 0; i < a.length; i++) a[i] = bound * (2 * rng.next() - 1);
  return { a, b: new Float32Array(rank * dout) /* [R, Dout] */ };
}

/** A seeded, deterministic fresh adapter for `spec`: every layer, every target. */
export function initLora(o: InitLoraOptions): AdapterWeights {
  if (!Number.isInteger(o.rank) || o.rank < 1)
    throw new RequestError('invalid_request', `rank must be a positive integer (got ${o.rank})`, { param: 'rank' });
  const alpha = o.alpha ?? 8;
  if (!(alpha > 0))
    throw new RequestError('invalid_request', `lora_alpha must be > 0 (got ${alpha})`, { param: 'lora_alpha' });
  if (o.targets.length === 0 || new Set(o.targets).size !== o.targets.length)
    throw new RequestError('invalid_request', 'targets must be a non-empty list without repeats', {
      param: 'target_modules',
    });
  for (const t of o.targets) {
    if (!LORA_TARGETS.includes(t))
      throw new RequestError('invalid_request', `unknown LoRA target ${JSON.stringify(t)}`, {
        param: 'target_modules',
      });
  }
  let bytes = 0;
  const layers: Array<Map<LoraTarget, LoraPair>> = [];
  for (let l = 0; l < o.spec.numLayers; l++) {
    const layer = new Map<LoraTarget, LoraPair>();
    for (const t of o.targets) {
      const [din, dout] = targetShape(o.spec, t);
      const pair = initLoraPair(
        din,
        dout,
        o.rank,
        new Prng(deriveSeed(o.seed, INIT_STREAM, l, LORA_TARGETS.indexOf(t))),
      );
      bytes += pair.a.byteLength + pair.b.byteLength;
      layer.set(t, pair);
    }
    layers.push(layer);
  }
  return {
    id: o.id ?? 'new',
    rank: o.rank,
    scale: o.useRslora ? alpha / Math.sqrt(o.rank) : alpha / o.rank,
    targets: [...o.targets],
    layers,
    bytes,
  };
}
