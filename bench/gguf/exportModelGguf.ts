// Hugging Face Llama folder -> GGUF for llama.cpp (what convert_hf_to_gguf.py does for `llama`):
// llama.* hyper-parameters, a synthetic SentencePiece-style vocabulary (the bench feeds token ids,
// never text, so only the ids matter: token i is spelled like the folder's tokenizer.json, or `[i]`),
// tensors renamed to llama.cpp names with q/k rows permuted to interleaved RoPE.
// Glossary: D hidden, I intermediate, V vocab, L layers.
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { quantizeInt4 } from '../../kernels/index.ts';
import { loadModelSpec, readCheckpointTensors, type ModelSpec } from '../../kernels/model/index.ts';
import { f32, str, u32, type GgmlTypeName, type GgufTensor, type GgufValue } from './ggufFormat.ts';
import { permuteRope } from './permuteRope.ts';
import { writeGguf } from './writeGguf.ts';

export interface ExportModelOptions {
  modelDir: string;
  outFile: string;
  /** Type of the 2-D weight matrices; norms stay F32. Default F32. */
  weightType?: GgmlTypeName;
  /** Context length written to the metadata (default: the spec's max positions). */
  contextLength?: number;
}

/** HF tensor suffix -> llama.cpp tensor name inside blk.N. */
const LAYER_NAMES: Record<string, string> = {
  'input_layernorm.weight': 'attn_norm.weight',
  'self_attn.q_proj.weight': 'attn_q.weight',
  'self_attn.k_proj.weight': 'attn_k.weight',
  'self_attn.v_proj.weight': 'attn_v.weight',
  'self_attn.o_proj.weight': 'attn_output.weight',
  'post_attention_layernorm.weight': 'ffn_norm.weight',
  'mlp.gate_proj.weight': 'ffn_gate.weight',
  'mlp.up_proj.weight': 'ffn_up.weight',
  'mlp.down_proj.weight': 'ffn_down.weight',
};

/** HF name (model.layers.N.x / lm_head / ...) -> llama.cpp name; null when not a llama tensor. */
export function ggufTensorName(hfName: string): string | null {
  if (hfName === 'model.embed_tokens.weight') return 'token_embd.weight';
  if (hfName === 'model.norm.weight') return 'output_norm.weight';
  if (hfName === 'lm_head.weight') return 'output.weight';
  const m = /^model\.layers\.(\d+)\.(.+)$/.exec(hfName);
  if (!m) return null;
  const suffix = LAYER_NAMES[m[2]!];
  return suffix ? `blk.${m[1]}.${suffix}` : null;
}

/** Token strings by id: from tokenizer.json's vocab + added tokens when present, else `[i]`. */
async function vocabStrings(modelDir: string, vocabSize: number): Promise<string[]> {
  const tokens = Array.from({ length: vocabSize }, (_, i) => `[${i}]`);
  const path = join(modelDir, 'tokenizer.json');
  if (!existsSync(path)) return tokens;
  const tok = JSON.parse(await readFile(path, 'utf8')) as {
    model?: { vocab?: Record<string, number> | Array<[string, number]> };
    added_tokens?: Array<{ id: number; content: string }>;
  };
  const vocab = tok.model?.vocab;
  const entries: Array<[string, number]> = Array.isArray(vocab)
    ? vocab.map(([s], i) => [s, i])
    : Object.entries(vocab ?? {});
  for (const [s, id] of entries) if (id < vocabSize) tokens[id] = s;
  for (const a of tok.added_tokens ?? []) if (a.id < vocabSize) tokens[a.id] = a.content;
  // SentencePiece vocabularies need unique strings; keep ids unique even if the source is odd.
  const seen = new Set<string>();
  return tokens.map((s, i) => (seen.has(s) ? `[${i}]` : (seen.add(s), s)));
}

/** Metadata of the `llama` architecture for a spec. */
export function llamaMetadata(spec: ModelSpec, contextLength: number): Array<[string, GgufValue]> {
  return [
    ['general.architecture', str('llama')],
    ['llama.context_length', u32(contextLength)],
    ['llama.embedding_length', u32(spec.hiddenSize)],
    ['llama.block_count', u32(spec.numLayers)],
    ['llama.feed_forward_length', u32(spec.intermediateSize)],
    ['llama.attention.head_count', u32(spec.numHeads)],
    ['llama.attention.head_count_kv', u32(spec.numKvHeads)],
    ['llama.attention.key_length', u32(spec.headDim)],
    ['llama.attention.value_length', u32(spec.headDim)],
    ['llama.rope.freq_base', f32(spec.ropeTheta)],
    ['llama.rope.dimension_count', u32(spec.headDim)],
    ['llama.attention.layer_norm_rms_epsilon', f32(spec.rmsNormEps)],
    ['llama.vocab_size', u32(spec.vocabSize)],
  ];
}

/** First id of the 256 SentencePiece byte tokens. */
const BYTE_BASE = 3;
const FILE_TYPE: Record<GgmlTypeName, number> = { F32: 0, F16: 1, Q8_0: 7, Q4_0: 2 }; // llama_ftype

/** Writes the GGUF; returns the spec it was built from. */
export async function exportModelGguf(opts: ExportModelOptions): Promise<ModelSpec> {
  const spec = await loadModelSpec(opts.modelDir);
  if (spec.architecture !== 'LlamaForCausalLM' || spec.ropeScaling || spec.attentionBias) {
    throw new Error(
      `exportModelGguf: only plain Llama models are exported (got ${spec.architecture}${spec.ropeScaling ? ' with rope_scaling' : ''})`,
    );
  }
  const weightType = opts.weightType ?? 'F32';
  const hf = await readCheckpointTensors(opts.modelDir);
  const tensors: GgufTensor[] = [];
  for (const [name, t] of hf) {
    const gname = ggufTensorName(name);
    if (!gname) continue;
    let data = t.data;
    if (name.endsWith('q_proj.weight')) data = permuteRope(data, spec.numHeads, t.shape[1]!);
    else if (name.endsWith('k_proj.weight')) data = permuteRope(data, spec.numKvHeads, t.shape[1]!);
    // Q8_0 / Q4_0 blocks need rows that are a multiple of 32; like convert_hf_to_gguf, such tensors stay F32.
    const quantizable = t.shape.length === 2 && (!weightType.startsWith('Q') || t.shape[1]! % 32 === 0);
    if (weightType === 'Q4_0' && quantizable) {
      // loraledger --precision int4's own weights: its codes and scales (f16 here), so both systems run
      // the same weights. Its input embedding stays fp32 (a gather) and its head is int4: with tied
      // embeddings that is token_embd F32 plus an explicit output.weight.
      const q4 = (d: Float32Array) => ({ int4: quantizeInt4(d, t.shape[0]!, t.shape[1]!) });
      const embed = gname === 'token_embd.weight';
      tensors.push({ name: gname, shape: t.shape, data, type: embed ? 'F32' : 'Q4_0', ...(embed ? {} : q4(data)) });
      if (embed && spec.tieWordEmbeddings)
        tensors.push({ name: 'output.weight', shape: t.shape, data, type: 'Q4_0', ...q4(data) });
      continue;
    }
    tensors.push({ name: gname, shape: t.shape, data, type: quantizable ? weightType : 'F32' });
  }
  const tokens = await vocabStrings(opts.modelDir, spec.vocabSize);
  const special = new Set([spec.bosTokenId, ...spec.eosTokenIds, 0]);
  // llama_token_type: 1 normal, 3 control, 6 byte. SentencePiece needs the 256 byte-fallback tokens
  // (llama.cpp tokenizes "\n" etc. at load); like llama2.c's vocabularies they sit at ids 3..258.
  if (spec.vocabSize < BYTE_BASE + 256)
    throw new Error(
      `exportModelGguf: vocab ${spec.vocabSize} is too small for llama.cpp's 256 byte tokens (need >= ${BYTE_BASE + 256})`,
    );
  const tokenTypes = tokens.map((_, i) => (special.has(i) ? 3 : i >= BYTE_BASE && i < BYTE_BASE + 256 ? 6 : 1));
  for (let b = 0; b < 256; b++) tokens[BYTE_BASE + b] = `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
  const eos = spec.eosTokenIds[0] ?? 2;
  const metadata: Array<[string, GgufValue]> = [
    ...llamaMetadata(spec, opts.contextLength ?? spec.maxPositions),
    ['general.name', str('loraledger-bench-export')],
    ['general.file_type', u32(FILE_TYPE[weightType])],
    ['tokenizer.ggml.model', str('llama')],
    ['tokenizer.ggml.tokens', { type: 'string[]', value: tokens }],
    ['tokenizer.ggml.scores', { type: 'f32[]', value: tokens.map((_, i) => -i) }],
    // 1 normal, 3 control (llama_token_type)
    ['tokenizer.ggml.token_type', { type: 'i32[]', value: tokenTypes }],
    ['tokenizer.ggml.bos_token_id', u32(spec.bosTokenId ?? 1)],
    ['tokenizer.ggml.eos_token_id', u32(eos)],
    ['tokenizer.ggml.unknown_token_id', u32(0)],
    ['tokenizer.ggml.add_bos_token', { type: 'bool', value: false }],
  ];
  await writeGguf(opts.outFile, { metadata, tensors });
  return spec;
}
