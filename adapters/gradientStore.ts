// Per-example LoRA gradients on disk, beside the adapter: <adapter>/influence/gradients.bin
// (training-data influence: the factory writes it, attribution/scoring/influence reads it).
//
//   "LLINFG01" | u32 header bytes | header JSON (GradientHeader) | n rows
//   row k = for each block l: f32 scale_kl, then d_l fp16 values g_kl / scale_kl   (little-endian)
//
// scale_kl = max |g_kl| keeps each block inside fp16's range however small its gradient (a plain
// fp16 cast flushes LoRA gradients of 1e-8 to zero). The header names the manifest hash the
// gradients were computed for, so a stale file (the adapter retrained, the manifest changed) is
// detected and recomputed rather than used.
//
// Glossary: n examples, L blocks, d_l stored values of block l (after projection).
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { f32ToF16, widenF16 } from '../kernels/model/index.ts';
import { nextTurn } from '../common/index.ts';
import type { BlockShape, ProjectionSpec } from './gradientProjection.ts';
import { tempPathBeside } from './influenceRows.ts';

const MAGIC = 'LLINFG01';
export const GRADIENT_FORMAT = 'loraledger.influence-gradients.v1';

/** Gradients of n examples, block by block: blocks[l] is [n, d_l] row-major. */
export interface GradientBlocks {
  n: number;
  /** Values per example in each block (d_l). */
  dims: readonly number[];
  blocks: readonly Float32Array[]; // [L][n * d_l]
}

export interface GradientHeader {
  format: typeof GRADIENT_FORMAT;
  /** loraledger.json training_manifest_hash the gradients belong to. */
  manifestHash: string;
  /** The adapter's scale the gradients were taken at (alpha / r). */
  loraScale: number;
  /** null: the blocks are stored whole. */
  projection: ProjectionSpec | null;
  /** Every block, in row order: its training-graph shape and its stored (projected) shape. */
  blocks: Array<BlockShape & { stored: [number, number] }>;
  /** The manifest's examples in row order, with their loss targets (each gradient is of the mean loss). */
  examples: Array<{ id: string; lossTokens: number }>;
}

export interface StoredGradients {
  header: GradientHeader;
  train: GradientBlocks;
}

/** Bytes of one example's row. */
export function rowBytes(h: Pick<GradientHeader, 'blocks'>): number {
  return h.blocks.reduce((s, b) => s + 4 + 2 * b.stored[0] * b.stored[1], 0);
}

/**
 * Writes a gradient file row by row, to a temporary of its own beside `file` (tempPathBeside),
 * renamed into place by close(): readers see no file, the old one or the whole new one, and two
 * writers of one file never trip over each other's temporary. abort() removes the temporary.
 */
export class GradientStoreWriter {
  private rows = 0;
  private constructor(
    private readonly file: string,
    private readonly tmp: string,
    private readonly fh: Awaited<ReturnType<typeof open>>,
    private readonly header: GradientHeader,
  ) {}

  static async create(file: string, header: GradientHeader): Promise<GradientStoreWriter> {
    await mkdir(dirname(file), { recursive: true });
    const tmp = tempPathBeside(file);
    const fh = await open(tmp, 'wx');
    const w = new GradientStoreWriter(file, tmp, fh, header);
    const json = Buffer.from(JSON.stringify(header));
    const head = Buffer.alloc(12);
    head.write(MAGIC, 0, 'latin1');
    head.writeUInt32LE(json.length, 8);
    try {
      await fh.write(Buffer.concat([head, json]));
    } catch (err) {
      await w.abort();
      throw err;
    }
    return w;
  }

  /** Appends the next example's stored blocks ([L][d_l], already projected). */
  async append(blocks: readonly Float32Array[]): Promise<void> {
    const h = this.header;
    if (this.rows >= h.examples.length) throw new Error('gradient store: more rows than the header lists examples');
    const buf = Buffer.alloc(rowBytes(h));
    let at = 0;
    h.blocks.forEach((b, l) => {
      const g = blocks[l]!;
      const d = b.stored[0] * b.stored[1];
      if (g.length !== d) throw new Error(`gradient store: ${b.name} has ${g.length} values, expected ${d}`);
      let scale = 0;
      for (let j = 0; j < d; j++) scale = Math.max(scale, Math.abs(g[j]!));
      buf.writeFloatLE(scale, at);
      at += 4;
      const inv = scale > 0 ? 1 / scale : 0;
      for (let j = 0; j < d; j++, at += 2) buf.writeUInt16LE(f32ToF16(g[j]! * inv), at);
    });
    await this.fh.write(buf);
    this.rows++;
  }

  async close(): Promise<void> {
    await this.fh.close();
    if (this.rows !== this.header.examples.length) {
      await rm(this.tmp, { force: true });
      throw new Error(`gradient store: ${this.rows} rows written, the header lists ${this.header.examples.length}`);
    }
    try {
      await rename(this.tmp, this.file);
    } catch (err) {
      await rm(this.tmp, { force: true });
      throw err;
    }
  }

  /** Gives up the file: the temporary is closed and removed, `file` stays as it was. */
  async abort(): Promise<void> {
    await this.fh.close().catch(() => {}); // already closed by a failed close(): nothing to release
    await rm(this.tmp, { force: true });
  }
}

/** Reads the header only. */
export async function readGradientHeader(file: string): Promise<GradientHeader> {
  const fh = await open(file, 'r');
  try {
    const head = Buffer.alloc(12);
    await fh.read(head, 0, 12, 0);
    if (head.toString('latin1', 0, 8) !== MAGIC) throw new Error(`${file} is not a loraledger gradient file`);
    const json = Buffer.alloc(head.readUInt32LE(8));
    await fh.read(json, 0, json.length, 12);
    return JSON.parse(json.toString('utf8')) as GradientHeader;
  } finally {
    await fh.close();
  }
}

/** Reads the whole file into per-block arrays (fp16 widened to fp32, scales applied). */
export async function readGradientStore(file: string): Promise<StoredGradients> {
  const buf = await readFile(file);
  if (buf.toString('latin1', 0, 8) !== MAGIC) throw new Error(`${file} is not a loraledger gradient file`);
  const hl = buf.readUInt32LE(8);
  const header = JSON.parse(buf.toString('utf8', 12, 12 + hl)) as GradientHeader;
  const n = header.examples.length;
  const dims = header.blocks.map((b) => b.stored[0] * b.stored[1]);
  if (buf.length !== 12 + hl + n * rowBytes(header))
    throw new Error(`${file} is truncated: ${buf.length} bytes for ${n} examples`);
  const blocks = dims.map((d) => new Float32Array(n * d));
  let at = 12 + hl;
  for (let k = 0; k < n; k++) {
    // the event loop serves between slices of rows (a store is megabytes; this runs on it)
    if (k % 32 === 31) await nextTurn();
    dims.forEach((d, l) => {
      const scale = buf.readFloatLE(at);
      at += 4;
      const out = blocks[l]!;
      widenF16(buf, at, d, out, k * d, scale);
      at += 2 * d;
    });
  }
  return { header, train: { n, dims, blocks } };
}
