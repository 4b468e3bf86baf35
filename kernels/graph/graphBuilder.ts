// A small ONNX graph builder: symbolic-dim inputs/outputs, initializers (large ones written to an
// external data file beside the .onnx, 64-byte aligned), nodes with typed attributes, and
// de-duplicated constants. Serialised with protobufjs (kernels/onnxProto.ts).
//
//   const g = new GraphBuilder('decoder');
//   const x = g.input('x', DataType.FLOAT, ['B', 4]);
//   const y = g.op('Relu', [x]);
//   g.output(y, DataType.FLOAT, ['B', 4], 'y');
//   await g.save('/dir/model.onnx');   // also writes /dir/model.onnx.data
import { closeSync, openSync, renameSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { AttributeType, DataLocation, DataType, ModelProto, type DataTypeCode } from './onnxProto.ts';

/** Attribute values: integer numbers become INT, `float(x)` FLOAT, number[] INTS, string STRING, `{graph}` GRAPH. */
export type AttrValue = number | { float: number } | number[] | { floats: number[] } | string | { graph: object };
export const float = (x: number): { float: number } => ({ float: x });

interface Initializer {
  name: string;
  dataType: DataTypeCode;
  dims: number[];
  bytes: Uint8Array;
}

/** Initializers at or above this size go to the external data file. */
const EXTERNAL_MIN_BYTES = 1024;
const ALIGN = 64;

export class GraphBuilder {
  private nodes: object[] = [];
  private readonly inputs: object[] = [];
  private readonly outputs: object[] = [];
  private readonly inits: Initializer[] = [];
  private readonly constCache = new Map<string, string>();
  private readonly initNames = new Set<string>();
  private counter = 0;
  readonly opsets = new Map<string, number>([['', 17]]);

  constructor(readonly name: string) {}

  private valueInfo(name: string, elemType: DataTypeCode, dims: Array<number | string>): object {
    const dim = dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d }));
    return { name, type: { tensor_type: { elem_type: elemType, shape: { dim } } } };
  }

  input(name: string, elemType: DataTypeCode, dims: Array<number | string>): string {
    this.inputs.push(this.valueInfo(name, elemType, dims));
    return name;
  }

  /** Marks `value` as a graph output named `name` (adds an Identity if the names differ). */
  output(value: string, elemType: DataTypeCode, dims: Array<number | string>, name = value): string {
    if (value !== name) this.op('Identity', [value], {}, { outputs: [name] });
    this.outputs.push(this.valueInfo(name, elemType, dims));
    return name;
  }

  fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  /** True once an initializer of that name was added. */
  has(name: string): boolean {
    return this.initNames.has(name);
  }

  /**
   * Adds an initializer from a typed array (bytes copied by reference). A name added before is
   * the same tensor (e.g. one weight used by both branches of an If): it is kept, not re-added.
   */
  init(name: string, dataType: DataTypeCode, dims: number[], data: ArrayBufferView): string {
    if (this.initNames.has(name)) return name;
    this.initNames.add(name);
    const n = dims.reduce((a, b) => a * b, 1);
    const per = {
      [DataType.FLOAT]: 4,
      [DataType.INT64]: 8,
      [DataType.INT32]: 4,
      [DataType.INT8]: 1,
      [DataType.UINT8]: 1,
      [DataType.BOOL]: 1,
      [DataType.FLOAT16]: 2,
      [DataType.DOUBLE]: 8,
    }[dataType];
    if (data.byteLength !== n * per)
      throw new Error(`initializer ${name}: dims [${dims}] need ${n * per} bytes, got ${data.byteLength}`);
    this.inits.push({ name, dataType, dims, bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    return name;
  }

  /** A de-duplicated constant initializer (float32 or int64). */
  constF(values: number[], dims: number[] = [values.length]): string {
    return this.cached(`f:${dims}:${values}`, () =>
      this.init(this.fresh('cf'), DataType.FLOAT, dims, Float32Array.from(values)),
    );
  }
  constI(values: number[], dims: number[] = [values.length]): string {
    return this.cached(`i:${dims}:${values}`, () =>
      this.init(this.fresh('ci'), DataType.INT64, dims, BigInt64Array.from(values.map(BigInt))),
    );
  }
  /** A zeros constant of the given dims (float32). */
  zeros(dims: number[]): string {
    return this.cached(`z:${dims}`, () =>
      this.init(this.fresh('zeros'), DataType.FLOAT, dims, new Float32Array(dims.reduce((a, b) => a * b, 1))),
    );
  }
  private cached(key: string, make: () => string): string {
    let v = this.constCache.get(key);
    if (!v) {
      v = make();
      this.constCache.set(key, v);
    }
    return v;
  }

  /** Adds a node; returns its output names (one, or `outputs` of them). */
  op(
    opType: string,
    inputs: string[],
    attrs: Record<string, AttrValue> = {},
    opts: { domain?: string; outputs?: number | string[]; name?: string } = {},
  ): string {
    return this.opN(opType, inputs, attrs, { ...opts, outputs: opts.outputs ?? 1 })[0]!;
  }
  opN(
    opType: string,
    inputs: string[],
    attrs: Record<string, AttrValue> = {},
    opts: { domain?: string; outputs?: number | string[]; name?: string } = {},
  ): string[] {
    const outs = Array.isArray(opts.outputs)
      ? opts.outputs
      : Array.from({ length: opts.outputs ?? 1 }, () => this.fresh(opType));
    const attribute = Object.entries(attrs).map(([name, v]) => encodeAttr(name, v));
    const domain = opts.domain ?? '';
    if (domain && !this.opsets.has(domain)) this.opsets.set(domain, 1);
    this.nodes.push({
      name: opts.name ?? this.fresh(`n_${opType}`),
      op_type: opType,
      input: inputs,
      output: outs,
      attribute,
      domain,
    });
    return outs;
  }

  /**
   * ONNX `If`: runs `then()` or `otherwise()` as a subgraph (each returns its output values; both
   * the same count and element types). Branches may use any value of the enclosing graph;
   * constants and initializers they create live in the main graph. Returns the If's outputs.
   */
  ifOp(
    cond: string,
    outputs: DataTypeCode[],
    then: () => string[],
    otherwise: () => string[],
    names?: string[],
  ): string[] {
    const branch = (name: string, make: () => string[]): { graph: object } => {
      const saved = this.nodes;
      this.nodes = [];
      try {
        const outs = make();
        if (outs.length !== outputs.length)
          throw new Error(`If branch ${name}: ${outs.length} outputs, expected ${outputs.length}`);
        const output = outs.map((o, i) => ({ name: o, type: { tensor_type: { elem_type: outputs[i]! } } }));
        return { graph: { name: this.fresh(name), node: this.nodes, input: [], output, initializer: [] } };
      } finally {
        this.nodes = saved;
      }
    };
    const thenBranch = branch('then', then);
    const elseBranch = branch('else', otherwise);
    return this.opN(
      'If',
      [cond],
      { then_branch: thenBranch, else_branch: elseBranch },
      { outputs: names ?? outputs.length },
    );
  }

  /** Writes `file` (.onnx) and `file + '.data'` (external weights), each atomically (tmp + rename). */
  save(file: string): { onnxBytes: number; dataBytes: number } {
    const dataFile = `${file}.data`;
    const tmpData = `${dataFile}.tmp${process.pid}`;
    const fd = openSync(tmpData, 'w');
    let offset = 0;
    const initializer: object[] = [];
    const pad = new Uint8Array(ALIGN);
    try {
      for (const t of this.inits) {
        const base = { name: t.name, data_type: t.dataType, dims: t.dims };
        if (t.bytes.byteLength < EXTERNAL_MIN_BYTES) {
          initializer.push({ ...base, raw_data: t.bytes });
          continue;
        }
        const skip = (ALIGN - (offset % ALIGN)) % ALIGN;
        if (skip) writeSync(fd, pad, 0, skip);
        offset += skip;
        writeSync(fd, t.bytes);
        initializer.push({
          ...base,
          data_location: DataLocation.EXTERNAL,
          external_data: [
            { key: 'location', value: basename(dataFile) },
            { key: 'offset', value: String(offset) },
            { key: 'length', value: String(t.bytes.byteLength) },
          ],
        });
        offset += t.bytes.byteLength;
      }
    } finally {
      closeSync(fd);
    }
    const model = {
      ir_version: 8,
      producer_name: 'loraledger',
      producer_version: '1',
      graph: { name: this.name, node: this.nodes, input: this.inputs, output: this.outputs, initializer },
      opset_import: [...this.opsets].map(([domain, version]) => ({ domain, version })),
    };
    const err = ModelProto.verify(model);
    if (err) throw new Error(`onnx model does not verify: ${err}`);
    const bytes = ModelProto.encode(ModelProto.fromObject(model)).finish();
    const tmpOnnx = `${file}.tmp${process.pid}`;
    const fo = openSync(tmpOnnx, 'w');
    try {
      writeSync(fo, bytes);
    } finally {
      closeSync(fo);
    }
    renameSync(tmpData, dataFile);
    renameSync(tmpOnnx, file);
    return { onnxBytes: bytes.byteLength, dataBytes: offset };
  }
}

function encodeAttr(name: string, v: AttrValue): object {
  if (typeof v === 'string') return { name, type: AttributeType.STRING, s: Buffer.from(v, 'utf8') };
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`attribute ${name}: ${v} is not an integer; wrap floats with float()`);
    return { name, type: AttributeType.INT, i: v };
  }
  if (Array.isArray(v)) return { name, type: AttributeType.INTS, ints: v };
  if ('graph' in v) return { name, type: AttributeType.GRAPH, g: v.graph };
  if ('float' in v) return { name, type: AttributeType.FLOAT, f: v.float };
  return { name, type: AttributeType.FLOATS, floats: v.floats };
}
