// Reverse-mode differentiation of an ONNX graph built from standard ops (onnxruntime's training API
// is gone and onnxruntime-node cannot load custom ops, so a backward pass is just more graph).
//
// DiffGraph wraps a GraphBuilder. Every differentiable op it emits is also recorded on a tape with
// its vector-Jacobian product; `gradients(loss, wrt)` walks the tape backwards and emits the
// backward ops into the same graph:
//
//   forward    y = op(x1, x2, ...)            recorded: (y, [x1, x2, ...], vjp)
//   backward   for each record, newest first, when y has a gradient gy:
//                gx_i += vjp(gy)[i]            (summed with Add when x_i is used more than once)
//
// Shapes are tracked symbolically (a Dim is a number or a name such as 'B', 'T', 'N'), so the
// gradient of a broadcasting op is summed back to its input's shape at build time:
//   unbroadcast(g, to) = ReduceSum over g's leading extra axes and over every axis where `to` has a
//                        literal 1 and g does not.
// Values that no differentiable leaf reaches (masks, positions, constants, frozen weights) carry no
// tape record, and no backward op is emitted for them.
// Element type: float32 or float64 (float64 graphs are for finite-difference checks).
import { GraphBuilder } from './graphBuilder.ts';
import { DataType, type DataTypeCode } from './onnxProto.ts';

export type Dim = number | string;
export type Shape = readonly Dim[];
export type FloatType = 'float32' | 'float64';

interface TapeRecord {
  output: string;
  inputs: readonly string[];
  vjp: (gy: string) => ReadonlyArray<string | null>;
}

export class DiffGraph {
  readonly g: GraphBuilder;
  readonly dataType: DataTypeCode;
  private readonly shapes = new Map<string, Shape>();
  private readonly tape: TapeRecord[] = [];
  /** Values that depend on a differentiable leaf. */
  private readonly live = new Set<string>();
  private readonly constants = new Map<string, string>();

  constructor(
    name: string,
    readonly floatType: FloatType,
  ) {
    this.g = new GraphBuilder(name);
    this.dataType = floatType === 'float64' ? DataType.DOUBLE : DataType.FLOAT;
  }

  // --- values -------------------------------------------------------------------------------------

  /** A float graph input; `grad` makes it a leaf that gradients() can differentiate by. */
  input(name: string, shape: Shape, opts: { grad?: boolean } = {}): string {
    this.g.input(name, this.dataType, [...shape]);
    this.shapes.set(name, shape);
    if (opts.grad) this.live.add(name);
    return name;
  }

  /** A float initializer (frozen, no gradient) from values in any precision. */
  weight(name: string, dims: number[], values: ArrayLike<number>): string {
    const data =
      this.floatType === 'float64'
        ? values instanceof Float64Array
          ? values
          : Float64Array.from(values)
        : values instanceof Float32Array
          ? values
          : Float32Array.from(values);
    this.g.init(name, this.dataType, dims, data);
    this.shapes.set(name, dims);
    return name;
  }

  /** A scalar (or small) float constant in the graph's element type, de-duplicated. */
  constant(values: number | number[], dims: number[] = typeof values === 'number' ? [] : [values.length]): string {
    const list = typeof values === 'number' ? [values] : values;
    const key = `${dims}:${list}`;
    let name = this.constants.get(key);
    if (!name) this.constants.set(key, (name = this.weight(this.g.fresh('c'), dims, list)));
    return name;
  }

  /** Registers the shape of a value built with raw `g.op` calls (masks, tables): it carries no gradient. */
  external(value: string, shape: Shape): string {
    this.shapes.set(value, shape);
    return value;
  }

  shape(value: string): Shape {
    const s = this.shapes.get(value);
    if (!s) throw new Error(`DiffGraph: no shape recorded for ${value}`);
    return s;
  }

  // --- differentiable ops -------------------------------------------------------------------------

  matmul(a: string, b: string): string {
    const [sa, sb] = [this.shape(a), this.shape(b)];
    if (sa.length < 2 || sb.length < 2) throw new Error('matmul: both operands need rank >= 2');
    if (!sameDim(sa[sa.length - 1]!, sb[sb.length - 2]!)) throw new Error(`matmul: [${sa}] x [${sb}]`);
    const batch = broadcastShapes(sa.slice(0, -2), sb.slice(0, -2));
    const out = [...batch, sa[sa.length - 2]!, sb[sb.length - 1]!];
    // only the operands that need a gradient get one: a frozen weight's would be computed for nothing
    return this.record('MatMul', [a, b], out, {}, (gy) => [
      this.live.has(a)
        ? this.unbroadcast(this.g.op('MatMul', [gy, this.swapLast(b)]), [...batch, sa.at(-2)!, sa.at(-1)!], sa)
        : null,
      this.live.has(b)
        ? this.unbroadcast(this.g.op('MatMul', [this.swapLast(a), gy]), [...batch, sb.at(-2)!, sb.at(-1)!], sb)
        : null,
    ]);
  }

  add(a: string, b: string): string {
    const out = broadcastShapes(this.shape(a), this.shape(b));
    return this.record('Add', [a, b], out, {}, (gy) => [
      this.live.has(a) ? this.unbroadcast(gy, out, this.shape(a)) : null,
      this.live.has(b) ? this.unbroadcast(gy, out, this.shape(b)) : null,
    ]);
  }

  sub(a: string, b: string): string {
    const out = broadcastShapes(this.shape(a), this.shape(b));
    return this.record('Sub', [a, b], out, {}, (gy) => [
      this.live.has(a) ? this.unbroadcast(gy, out, this.shape(a)) : null,
      this.live.has(b) ? this.unbroadcast(this.g.op('Neg', [gy]), out, this.shape(b)) : null,
    ]);
  }

  mul(a: string, b: string): string {
    const out = broadcastShapes(this.shape(a), this.shape(b));
    return this.record('Mul', [a, b], out, {}, (gy) => [
      this.live.has(a) ? this.unbroadcast(this.g.op('Mul', [gy, b]), out, this.shape(a)) : null,
      this.live.has(b) ? this.unbroadcast(this.g.op('Mul', [gy, a]), out, this.shape(b)) : null,
    ]);
  }

  neg(x: string): string {
    return this.record('Neg', [x], this.shape(x), {}, (gy) => [this.g.op('Neg', [gy])]);
  }

  sigmoid(x: string): string {
    const y = this.record('Sigmoid', [x], this.shape(x), {}, (gy) => {
      const oneMinus = this.g.op('Sub', [this.constant(1), y]);
      return [this.g.op('Mul', [gy, this.g.op('Mul', [y, oneMinus])])];
    });
    return y;
  }

  /** 1 / sqrt(x), elementwise. */
  rsqrt(x: string): string {
    const y = this.g.op('Reciprocal', [this.g.op('Sqrt', [x])]);
    this.shapes.set(y, this.shape(x));
    // d/dx x^(-1/2) = -1/2 · y^3
    return this.recordAs(y, [x], (gy) => {
      const y3 = this.g.op('Mul', [y, this.g.op('Mul', [y, y])]);
      return [this.g.op('Mul', [gy, this.g.op('Mul', [y3, this.constant(-0.5)])])];
    });
  }

  /** Sum over `axes`, keeping them as size 1. */
  reduceSum(x: string, axes: number[]): string {
    const s = this.shape(x);
    const norm = axes.map((a) => (a < 0 ? a + s.length : a));
    const out = s.map((d, i) => (norm.includes(i) ? 1 : d));
    return this.record('ReduceSum', [x, this.g.constI(norm)], out, { keepdims: 1 }, (gy) => [
      this.g.op('Expand', [gy, this.g.op('Shape', [x])]),
    ]);
  }

  /** Mean over `axes` (each a static dim), keeping them as size 1. */
  reduceMean(x: string, axes: number[]): string {
    const s = this.shape(x);
    const norm = axes.map((a) => (a < 0 ? a + s.length : a));
    const count = norm.reduce((n, a) => {
      const d = s[a]!;
      if (typeof d !== 'number') throw new Error(`reduceMean over a dynamic axis (${d})`);
      return n * d;
    }, 1);
    const out = s.map((d, i) => (norm.includes(i) ? 1 : d));
    return this.record('ReduceMean', [x], out, { axes: norm, keepdims: 1 }, (gy) => [
      this.g.op('Expand', [this.g.op('Mul', [gy, this.constant(1 / count)]), this.g.op('Shape', [x])]),
    ]);
  }

  /** Softmax over the last axis. */
  softmax(x: string): string {
    const y = this.record('Softmax', [x], this.shape(x), { axis: -1 }, (gy) => {
      const dot = this.g.op('ReduceSum', [this.g.op('Mul', [gy, y]), this.g.constI([-1])], { keepdims: 1 });
      return [this.g.op('Mul', [y, this.g.op('Sub', [gy, dot])])];
    });
    return y;
  }

  /** Log-softmax over the last axis. */
  logSoftmax(x: string): string {
    const y = this.record('LogSoftmax', [x], this.shape(x), { axis: -1 }, (gy) => {
      const sum = this.g.op('ReduceSum', [gy, this.g.constI([-1])], { keepdims: 1 });
      return [this.g.op('Sub', [gy, this.g.op('Mul', [this.g.op('Exp', [y]), sum])])];
    });
    return y;
  }

  transpose(x: string, perm: number[]): string {
    const s = this.shape(x);
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return this.record(
      'Transpose',
      [x],
      perm.map((p) => s[p]!),
      { perm },
      (gy) => [this.g.op('Transpose', [gy], { perm: inverse })],
    );
  }

  /**
   * Reshape to `to` (the tracked shape), with `shapeTensor` the int64 shape ONNX reads (it may use 0
   * and -1, or be computed at run time).
   */
  reshape(x: string, to: Shape, shapeTensor: string): string {
    return this.record('Reshape', [x, shapeTensor], to, {}, (gy) => [
      this.g.op('Reshape', [gy, this.g.op('Shape', [x])]),
    ]);
  }

  /** Broadcasts x to `dims` (numbers; 1 keeps x's size there). */
  expand(x: string, dims: number[]): string {
    const out = broadcastShapes(this.shape(x), dims);
    return this.record('Expand', [x, this.g.constI(dims)], out, {}, (gy) => [this.unbroadcast(gy, out, this.shape(x))]);
  }

  /** Rows of `table` [V, D] at int64 `ids` [...] (an embedding lookup): [..., D]. */
  gather(table: string, ids: string, idsShape: Shape): string {
    const [V, D] = this.shape(table) as [number, number];
    return this.record('Gather', [table, ids], [...idsShape, D], { axis: 0 }, (gy) => {
      // d table = onehot(ids)^T · gy, with ids and gy flattened to [n] and [n, D]
      const flatIds = this.g.op('Reshape', [ids, this.g.constI([-1, 1])]);
      const vocab = this.g.init(this.g.fresh('vocab_ids'), DataType.INT64, [1, V], vocabRange(V));
      const onehot = this.g.op('Cast', [this.g.op('Equal', [flatIds, vocab])], { to: this.dataType });
      const flatGy = this.g.op('Reshape', [gy, this.g.constI([-1, D])]);
      return [this.g.op('MatMul', [this.g.op('Transpose', [onehot], { perm: [1, 0] }), flatGy])];
    });
  }

  /** x[n, idx[n, 0]] for x [n, V] and int64 idx [n, 1]: [n, 1]. */
  pick(x: string, idx: string): string {
    const [n] = this.shape(x);
    return this.record('GatherElements', [x, idx], [n!, 1], { axis: 1 }, (gy) => {
      const zeros = this.g.op('Expand', [this.constant([0], [1, 1]), this.g.op('Shape', [x])]);
      return [this.g.op('ScatterElements', [zeros, idx, gy], { axis: 1 })];
    });
  }

  /**
   * Registers `y`, built from `inputs` with raw `g.op` calls, as a differentiable value of shape
   * `shape` whose vector-Jacobian product is `vjp` (one entry per input, null for none): for ops this
   * class has no method for, such as the quantized linears of graphLinear.ts. As with every op, y is
   * recorded (and vjp called) only when an input depends on a differentiable leaf.
   */
  custom(y: string, inputs: string[], shape: Shape, vjp: (gy: string) => ReadonlyArray<string | null>): string {
    this.shapes.set(y, shape);
    return this.recordAs(y, inputs, vjp);
  }

  // --- gradients ----------------------------------------------------------------------------------

  /** Emits d loss / d x for each x of `wrt` (loss a scalar). Returns x -> gradient value. */
  gradients(loss: string, wrt: readonly string[]): Map<string, string> {
    const grads = new Map<string, string>([[loss, this.constant(1)]]);
    for (let i = this.tape.length - 1; i >= 0; i--) {
      const rec = this.tape[i]!;
      const gy = grads.get(rec.output);
      if (!gy) continue;
      const gx = rec.vjp(gy);
      rec.inputs.forEach((x, k) => {
        const d = gx[k];
        if (!d || !this.live.has(x)) return;
        const prev = grads.get(x);
        grads.set(x, prev ? this.g.op('Add', [prev, d]) : d);
      });
    }
    const out = new Map<string, string>();
    for (const x of wrt) {
      const d = grads.get(x);
      if (!d) throw new Error(`gradients: ${x} does not reach ${loss}`);
      out.set(x, d);
    }
    return out;
  }

  // --- internals ----------------------------------------------------------------------------------

  private record(
    opType: string,
    inputs: string[],
    shape: Shape,
    attrs: Record<string, number | number[]>,
    vjp: (gy: string) => ReadonlyArray<string | null>,
  ): string {
    const y = this.g.op(opType, inputs, attrs);
    this.shapes.set(y, shape);
    return this.recordAs(y, inputs, vjp);
  }

  private recordAs(y: string, inputs: string[], vjp: (gy: string) => ReadonlyArray<string | null>): string {
    if (inputs.some((x) => this.live.has(x))) {
      this.live.add(y);
      this.tape.push({ output: y, inputs, vjp });
    }
    return y;
  }

  private swapLast(x: string): string {
    const r = this.shape(x).length;
    const perm = [...Array(r - 2).keys(), r - 1, r - 2];
    return this.g.op('Transpose', [x], { perm });
  }

  /** Sums `g` (of shape `from`) down to shape `to` (a broadcast operand's shape). */
  private unbroadcast(g: string, from: Shape, to: Shape): string {
    const lead = from.length - to.length;
    let v = g;
    if (lead > 0) v = this.g.op('ReduceSum', [v, this.g.constI([...Array(lead).keys()])], { keepdims: 0 });
    const axes = to.flatMap((d, i) => (d === 1 && from[lead + i] !== 1 ? [i] : []));
    if (axes.length > 0) v = this.g.op('ReduceSum', [v, this.g.constI(axes)], { keepdims: 1 });
    return v;
  }
}

function sameDim(a: Dim, b: Dim): boolean {
  return a === b;
}

/** Numpy broadcasting of two tracked shapes (dims must match or one be 1). */
export function broadcastShapes(a: Shape, b: Shape): Dim[] {
  const n = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x === 1) out.push(y);
    else if (y === 1 || x === y) out.push(x);
    else throw new Error(`cannot broadcast [${a}] with [${b}]`);
  }
  return out;
}

function vocabRange(V: number): BigInt64Array {
  const r = new BigInt64Array(V); // [1, V]
  for (let i = 0; i < V; i++) r[i] = BigInt(i);
  return r;
}
