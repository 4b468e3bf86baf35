// Seeded PEFT LoRA adapters for tests, the bench and the embedded demo, written by
// writeAdapterFolder.ts as `PeftModel.save_pretrained` writes them.
//
// Unlike a freshly initialised PEFT adapter (B = 0), B is random and NON-zero so the adapter
// really changes the model's outputs.
//
// Glossary: Din/Dout in/out features of the projection, R rank, L layers.
import { Prng } from '../common/index.ts';
import type { SafetensorsDtype } from '../kernels/model/index.ts';
import { LORA_TARGETS, targetShape, type LoraTarget, type ModelSpec } from '../kernels/model/index.ts';
import { writeAdapterFolder, type PeftPair } from './writeAdapterFolder.ts';

export interface GenerateAdapterOptions {
  /** Folder to write into (created). */
  dir: string;
  spec: ModelSpec;
  seed: number;
  rank: number;
  /** Default: 2 * rank. */
  alpha?: number;
  /** Default: all seven projections. */
  targets?: readonly LoraTarget[];
  /** Stored dtype of the weights. Default F32. */
  dtype?: SafetensorsDtype;
  useRslora?: boolean;
  /** Standard deviation of B's entries (A uses 1/sqrt(Din)). Default 0.02. */
  bStd?: number;
  /** Written as `base_model_name_or_path`. */
  baseModel?: string;
  /** Writes loraledger.json when any of these is given. */
  description?: string;
  tags?: string[];
  owner?: string;
}

/** Writes a seeded random adapter folder. Same options, same bytes. */
export async function generateAdapter(o: GenerateAdapterOptions): Promise<void> {
  const targets = o.targets ?? LORA_TARGETS;
  const rank = o.rank;
  const rng = new Prng(o.seed);
  const pairs: PeftPair[] = [];
  for (let l = 0; l < o.spec.numLayers; l++) {
    for (const t of LORA_TARGETS) {
      if (!targets.includes(t)) continue;
      const [din, dout] = targetShape(o.spec, t);
      const a = rng.fillUniform(new Float32Array(rank * din), 1 / Math.sqrt(din)); // [R, Din]
      const b = rng.fillUniform(new Float32Array(dout * rank), o.bStd ?? 0.02); // [Dout, R]
      pairs.push({ layer: l, target: t, a, b, din, dout });
    }
  }
  const hasLedger = o.description !== undefined || o.tags !== undefined || o.owner !== undefined;
  await writeAdapterFolder({
    dir: o.dir,
    rank,
    alpha: o.alpha ?? 2 * rank,
    targets,
    useRslora: o.useRslora ?? false,
    baseModel: o.baseModel ?? null,
    pairs,
    dtype: o.dtype,
    ledger: hasLedger ? { description: o.description ?? null, tags: o.tags ?? [], owner: o.owner ?? null } : undefined,
  });
}
