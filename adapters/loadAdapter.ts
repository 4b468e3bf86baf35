// Checks a PEFT adapter against the base model (header only) and reads its weights into the
// orientation the graph wants.
//
// Glossary: L layers, R rank, Din/Dout in/out features of the targeted projection.
//
// PEFT stores, per targeted module, two nn.Linear weights:
//   lora_A.weight [R, Din]    lora_B.weight [Dout, R]     delta(x) = scale * (x · A^T) · B^T
// and we hold a = A^T [Din, R], b = B^T [R, Dout] so that delta(x) = scale * (x · a) · b.
// fan_in_fan_out only matters for GPT-2 style Conv1D base layers, whose *base* weight is stored
// [Din, Dout]; lora_A / lora_B are nn.Linear either way, so their storage does not change, and for
// Llama's nn.Linear projections PEFT itself resets the flag to false. We accept it and read the
// same layout (peft/tuners/lora/layer.py: Linear.__init__ warns and sets fan_in_fan_out = False).
//
// Tensor names accepted (PEFT's save_pretrained strips the adapter name; older tools keep it):
//   [base_model.model.]model.layers.{l}.{self_attn|mlp}.{target}.lora_{A|B}[.{adapter_name}][.weight]
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { AdapterError } from '../common/index.ts';
import {
  decodeTensor,
  parseSafetensorsHeader,
  readSafetensorsHeader,
  type TensorInfo,
} from '../kernels/model/index.ts';
import { LORA_TARGETS, targetShape, type LoraTarget, type ModelSpec } from '../kernels/model/index.ts';
import { ADAPTER_WEIGHTS_FILE, isTargeted, loraScale, type PeftAdapterMeta } from './peftFormat.ts';
import type { AdapterWeights, LoraPair } from '../kernels/model/index.ts';

const NAME_RE =
  /^(?:base_model\.model\.)?model\.layers\.(\d+)\.(self_attn|mlp)\.(\w+)\.lora_(A|B)(?:\.(?!weight$)[\w-]+)?(?:\.weight)?$/;
const FLOAT_DTYPES = new Set(['F32', 'F16', 'BF16']);

/** One (layer, target) pair found in the header, shapes checked. */
export interface PlannedPair {
  layer: number;
  target: LoraTarget;
  a: TensorInfo; // stored [R, Din]
  b: TensorInfo; // stored [Dout, R]
}

export interface AdapterPlan {
  file: string;
  pairs: PlannedPair[];
  /** Bytes the pairs take as fp32 in host memory. */
  bytes: number;
}

export interface ValidateOptions {
  /** Largest rank the engine accepts (its slot stacks are padded to it). */
  maxRank?: number;
}

export interface LoadOptions extends ValidateOptions {
  /** Multiply b by the scale while transposing and return scale 1 (same delta, no per-write multiply). */
  foldScale?: boolean;
  /**
   * Read the file into this reusable buffer (grown as needed) instead of a new one per load; for a
   * caller that runs one load at a time (the loader thread), so a load leaves no file-sized garbage.
   */
  scratch?: { buffer: Buffer };
}

/** Reads a whole file into `scratch.buffer` (grown to fit) and returns the view of its bytes. */
function readInto(file: string, scratch: { buffer: Buffer }): Buffer {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (scratch.buffer.length < size) scratch.buffer = Buffer.allocUnsafe(size);
    let at = 0;
    while (at < size) {
      const n = readSync(fd, scratch.buffer, at, size - at, at);
      if (n === 0) break;
      at += n;
    }
    return scratch.buffer.subarray(0, at);
  } finally {
    closeSync(fd);
  }
}

function blockOf(target: LoraTarget): 'self_attn' | 'mlp' {
  return target === 'gate_proj' || target === 'up_proj' || target === 'down_proj' ? 'mlp' : 'self_attn';
}

/**
 * Validates an adapter against the base model using only the safetensors header: every tensor is a
 * LoRA matrix of a supported projection, every pair the config selects is present and nothing
 * else, shapes fit the base model, the rank matches `r`. Throws AdapterError('adapter_invalid')
 * saying exactly what does not fit.
 */
export async function validateAdapterAgainstModel(
  meta: PeftAdapterMeta,
  spec: ModelSpec,
  opts: ValidateOptions = {},
  fileBytes?: Buffer,
): Promise<AdapterPlan> {
  const file = join(meta.path, ADAPTER_WEIGHTS_FILE);
  const fail = (what: string, field = 'tensors'): AdapterError =>
    new AdapterError('adapter_invalid', `adapter ${meta.id}: ${what}`, { details: { id: meta.id, file, field } });
  if (opts.maxRank !== undefined && meta.rank > opts.maxRank) {
    throw fail(`rank r=${meta.rank} is larger than the server's maxLoraRank ${opts.maxRank}`, 'r');
  }
  let header;
  try {
    header = fileBytes ? parseSafetensorsHeader(file, fileBytes) : await readSafetensorsHeader(file);
  } catch (cause) {
    throw new AdapterError('adapter_invalid', `adapter ${meta.id}: ${(cause as Error).message}`, {
      details: { id: meta.id, file },
      cause,
    });
  }
  const found = new Map<string, { a?: TensorInfo; b?: TensorInfo }>();
  for (const info of header.tensors.values()) {
    const m = NAME_RE.exec(info.name);
    const target = m?.[3] as LoraTarget | undefined;
    if (!m || !LORA_TARGETS.includes(target!) || blockOf(target!) !== m[2]) {
      throw fail(
        `tensor ${info.name} is not a lora_A/lora_B weight of ${LORA_TARGETS.join(', ')} (embedding LoRA, DoRA magnitudes, biases and modules_to_save are not supported)`,
      );
    }
    const layer = Number(m[1]);
    if (layer >= spec.numLayers)
      throw fail(
        `tensor ${info.name} is for layer ${layer} but the base model has ${spec.numLayers} layers: adapter for another model?`,
      );
    if (!isTargeted(meta, layer, target!))
      throw fail(
        `tensor ${info.name} adapts layer ${layer} ${target} but adapter_config.json target_modules does not select it`,
      );
    if (!FLOAT_DTYPES.has(info.dtype))
      throw fail(`tensor ${info.name} has dtype ${info.dtype}; only F32, F16 and BF16 are supported`);
    if (info.shape.length !== 2) throw fail(`tensor ${info.name} has shape [${info.shape}]; LoRA matrices are 2-D`);
    const key = `${layer}.${target}`;
    const entry = found.get(key) ?? {};
    const which = m[4] === 'A' ? 'a' : 'b';
    if (entry[which])
      throw fail(`layer ${layer} ${target} lora_${m[4]} appears twice (${entry[which]!.name} and ${info.name})`);
    entry[which] = info;
    found.set(key, entry);
  }
  const pairs: PlannedPair[] = [];
  let bytes = 0;
  for (let layer = 0; layer < spec.numLayers; layer++) {
    for (const target of LORA_TARGETS) {
      if (!isTargeted(meta, layer, target)) continue;
      const e = found.get(`${layer}.${target}`);
      if (!e?.a || !e?.b) {
        throw fail(
          `layer ${layer} ${target} lora_${e?.a ? 'B' : 'A'} is missing, but adapter_config.json target_modules selects ${target}`,
        );
      }
      const [din, dout] = targetShape(spec, target);
      const [ar, ain] = e.a.shape as [number, number];
      const [bout, br] = e.b.shape as [number, number];
      if (ain !== din)
        throw fail(
          `layer ${layer} ${target} lora_A is [${e.a.shape}] but the base model's ${target} takes ${din} inputs: adapter for another model?`,
        );
      if (bout !== dout)
        throw fail(
          `layer ${layer} ${target} lora_B is [${e.b.shape}] but the base model's ${target} gives ${dout} outputs: adapter for another model?`,
        );
      if (ar !== meta.rank || br !== meta.rank) {
        throw fail(
          `layer ${layer} ${target} has rank ${ar === meta.rank ? br : ar} (lora_A [${e.a.shape}], lora_B [${e.b.shape}]) but adapter_config.json says r=${meta.rank}`,
        );
      }
      pairs.push({ layer, target, a: e.a, b: e.b });
      bytes += 4 * meta.rank * (din + dout);
    }
  }
  if (pairs.length === 0) throw fail('no LoRA pair applies to this base model');
  return { file, pairs, bytes };
}

/** Transposes a row-major [rows, cols] matrix, times `k`. */
function transpose(src: Float32Array, rows: number, cols: number, k = 1): { out: Float32Array; finite: boolean } {
  const out = new Float32Array(rows * cols); // [cols, rows]
  let nonFinite = 0; // v * 0 is 0 for a finite v and NaN for NaN or ±Inf, so the sum stays 0 only if all are finite
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = k * src[r * cols + c]!;
      out[c * rows + r] = v;
      nonFinite += v * 0;
    }
  }
  return { out, finite: nonFinite === 0 };
}

/** Stored tensor data as fp32: a zero-copy view of the file buffer for aligned F32, else decoded. */
function tensorReader(file: string, buf: Buffer): (info: TensorInfo) => Float32Array {
  return (info) => {
    const at = buf.byteOffset + info.start;
    if (info.dtype === 'F32' && at % 4 === 0) return new Float32Array(buf.buffer, at, (info.end - info.start) / 4);
    return decodeTensor(info, buf.subarray(info.start, info.end), file);
  };
}

/** Validates (header), reads and orients an adapter's weights: a [Din, R], b [R, Dout], scale kept apart. */
export async function loadAdapterWeights(
  meta: PeftAdapterMeta,
  spec: ModelSpec,
  opts: LoadOptions = {},
): Promise<AdapterWeights> {
  // The whole file in ONE synchronous read (header and data together). The engine loads on its own loader thread
  // (adapters/adapterLoader.ts), so blocking it stalls no forward step.
  const file = join(meta.path, ADAPTER_WEIGHTS_FILE);
  let bytes: Buffer;
  try {
    bytes = opts.scratch ? readInto(file, opts.scratch) : readFileSync(file);
  } catch (cause) {
    throw new AdapterError(
      'adapter_load_failed',
      `adapter ${meta.id}: cannot read ${ADAPTER_WEIGHTS_FILE} (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`,
      { details: { id: meta.id, file }, cause },
    );
  }
  const plan = await validateAdapterAgainstModel(meta, spec, opts, bytes);
  const read = tensorReader(file, bytes);
  const layers: Array<Map<LoraTarget, LoraPair>> = Array.from({ length: spec.numLayers }, () => new Map());
  const R = meta.rank;
  const scale = loraScale(meta);
  const kb = opts.foldScale ? scale : 1;
  for (const p of plan.pairs) {
    const [din, dout] = targetShape(spec, p.target);
    const a = transpose(read(p.a), R, din); // [R, Din] -> [Din, R]  (F16/BF16 are decoded by read, once)
    const b = transpose(read(p.b), dout, R, kb); // [Dout, R] -> [R, Dout] (times scale if folded)
    for (const [info, t] of [
      [p.a, a],
      [p.b, b],
    ] as const) {
      // A NaN/Inf would not stay in its own rows: an idle slot's zero-row bucket computes 0·w.
      // (Checked inside the transpose, which touches every value anyway: a second pass costs more.)
      if (!t.finite) {
        throw new AdapterError(
          'adapter_invalid',
          `adapter ${meta.id}: tensor ${info.name} holds NaN or infinite values`,
          { details: { id: meta.id, file, field: 'tensors' } },
        );
      }
    }
    layers[p.layer]!.set(p.target, { a: a.out, b: b.out });
  }
  return {
    id: meta.id,
    rank: R,
    scale: opts.foldScale ? 1 : scale,
    targets: [...meta.targets],
    layers,
    bytes: plan.bytes,
  };
}
