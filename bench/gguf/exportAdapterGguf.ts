// PEFT LoRA folder -> llama.cpp LoRA GGUF (what convert_lora_to_gguf.py writes):
//   general.type = "adapter", adapter.type = "lora", adapter.lora.alpha, general.architecture = llama;
//   tensors blk.N.<name>.weight.lora_a  (PEFT lora_A [R, Din], ne = [Din, R])
//           blk.N.<name>.weight.lora_b  (PEFT lora_B [Dout, R], ne = [R, Dout]); q/k lora_b rows are
//   RoPE-permuted like the base weights (lora_a acts on the input side and is left alone).
// llama.cpp applies scale_user * alpha / R; with use_rslora PEFT uses alpha / sqrt(R), so the
// returned `scale` (pass it to createContext's lora.adapters[].scale) corrects for that.
// Glossary: R rank, Din/Dout in/out features.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readSafetensors, type ModelSpec } from '../../kernels/model/index.ts';
import { f32, str, type GgufTensor, type GgufValue } from './ggufFormat.ts';
import { ggufTensorName } from './exportModelGguf.ts';
import { permuteRope } from './permuteRope.ts';
import { writeGguf } from './writeGguf.ts';

export interface ExportAdapterOptions {
  adapterDir: string;
  outFile: string;
  spec: ModelSpec;
}

export interface ExportedAdapter {
  file: string;
  rank: number;
  alpha: number;
  /** The scale to give llama.cpp so it matches PEFT (1, or sqrt(R) with rsLoRA). */
  scale: number;
  tensors: number;
}

const PEFT_NAME =
  /^(?:base_model\.model\.)?(model\.layers\.\d+\.(?:self_attn|mlp)\.\w+)\.lora_([AB])(?:\.(?!weight$)[\w-]+)?(?:\.weight)?$/;

export async function exportAdapterGguf(opts: ExportAdapterOptions): Promise<ExportedAdapter> {
  const config = JSON.parse(await readFile(join(opts.adapterDir, 'adapter_config.json'), 'utf8')) as {
    r: number;
    lora_alpha: number;
    use_rslora?: boolean;
  };
  const weights = await readSafetensors(join(opts.adapterDir, 'adapter_model.safetensors'));
  const tensors: GgufTensor[] = [];
  for (const [name, t] of weights) {
    const m = PEFT_NAME.exec(name);
    if (!m) throw new Error(`exportAdapterGguf: ${opts.adapterDir}: unexpected tensor ${name}`);
    const base = ggufTensorName(`${m[1]}.weight`);
    if (!base) throw new Error(`exportAdapterGguf: ${name} targets a module llama.cpp does not know`);
    const isB = m[2] === 'B';
    let data = t.data;
    if (isB && m[1]!.endsWith('q_proj')) data = permuteRope(data, opts.spec.numHeads, t.shape[1]!);
    if (isB && m[1]!.endsWith('k_proj')) data = permuteRope(data, opts.spec.numKvHeads, t.shape[1]!);
    tensors.push({ name: `${base}.lora_${isB ? 'b' : 'a'}`, shape: t.shape, data, type: 'F32' });
  }
  tensors.sort((a, b) => (a.name < b.name ? -1 : 1));
  const metadata: Array<[string, GgufValue]> = [
    ['general.architecture', str('llama')],
    ['general.type', str('adapter')],
    ['general.name', str(`loraledger-bench-adapter`)],
    ['adapter.type', str('lora')],
    ['adapter.lora.alpha', f32(config.lora_alpha)],
  ];
  await writeGguf(opts.outFile, { metadata, tensors });
  const scale = config.use_rslora ? Math.sqrt(config.r) : 1;
  return { file: opts.outFile, rank: config.r, alpha: config.lora_alpha, scale, tensors: tensors.length };
}
