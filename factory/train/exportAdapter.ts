// A trained adapter (A [Din, R], B [R, Dout], scale kept apart) written as a PEFT folder
// (lora_A [R, Din], lora_B [Dout, R]) that any PEFT loader, and loraledger's, reads back.
//
// Glossary: Din/Dout in/out features of the projection, R rank, L layers.
import { transpose } from '../../kernels/index.ts';
import { targetShape, type AdapterWeights, type ModelSpec } from '../../kernels/model/index.ts';
import { writeAdapterFolder, type PeftPair } from '../writeAdapterFolder.ts';

export interface ExportAdapterOptions {
  dir: string;
  spec: ModelSpec;
  alpha: number;
  useRslora: boolean;
  baseModel: string | null;
  /** loraledger.json (description, tags, owner, training manifest). */
  ledger?: Record<string, unknown>;
}

export async function exportAdapter(adapter: AdapterWeights, o: ExportAdapterOptions): Promise<void> {
  const R = adapter.rank;
  const pairs: PeftPair[] = [];
  adapter.layers.forEach((targets, layer) => {
    for (const [target, pair] of targets) {
      const [din, dout] = targetShape(o.spec, target);
      pairs.push({ layer, target, a: transpose(pair.a, din, R), b: transpose(pair.b, R, dout), din, dout });
    }
  });
  await writeAdapterFolder({
    dir: o.dir,
    rank: R,
    alpha: o.alpha,
    targets: adapter.targets,
    useRslora: o.useRslora,
    baseModel: o.baseModel,
    pairs,
    ledger: o.ledger,
  });
}
