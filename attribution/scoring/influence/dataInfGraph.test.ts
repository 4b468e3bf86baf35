// DataInf through onnxruntime (dataInfGraph.ts) against the JavaScript rule (dataInf.ts, itself
// checked against hand-computed values in dataInf.test.ts): blocks scored through their Gram matrix
// (n < d) and by three passes (n >= d) in one store, several answers, and a graph refusing a store
// of another shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Prng } from '../../../common/index.ts';
import { dataInfScores } from './dataInf.ts';
import { DataInfGraph, DataInfGraphs, usesGram } from './dataInfGraph.ts';

const rng = new Prng(11);
const blocks = (n: number, dims: number[]) =>
  dims.map((d) => Float32Array.from({ length: n * d }, () => rng.normal() * (1 + (d % 3))));

test('the graph gives the JavaScript rule scores to 1e-5 of the largest, Gram and three-pass blocks alike', async () => {
  const n = 24;
  const dims = [64, 16, 40, 8]; // n < d: Gram; n >= d: three passes
  assert.deepEqual(
    dims.map((d) => usesGram(n, d)),
    [true, false, true, false],
  );
  const train = { n, dims, blocks: blocks(n, dims) };
  const graph = await DataInfGraph.open(dims, n);
  try {
    for (let a = 0; a < 3; a++) {
      const v = blocks(1, dims);
      const want = dataInfScores(train, v);
      const got = await graph.scores(train, v);
      const top = Math.max(...want.map(Math.abs));
      got.forEach((x, k) => assert.ok(Math.abs(x - want[k]!) <= 1e-5 * top, `row ${k}: ${x} vs ${want[k]}`));
    }
    // a store of another row count class or other blocks needs another graph
    await assert.rejects(graph.scores({ n: 80, dims, blocks: blocks(80, dims) }, blocks(1, dims)), /another graph/);
    await assert.rejects(
      graph.scores({ n, dims: [64, 16], blocks: blocks(n, [64, 16]) }, blocks(1, [64, 16])),
      /blocks/,
    );
  } finally {
    await graph.close();
  }
});

test('DataInfGraphs opens a graph per store shape and keeps it', async () => {
  const graphs = new DataInfGraphs();
  try {
    for (const [n, dims] of [
      [10, [30, 5]],
      [40, [30, 5]],
      [10, [30, 5]],
    ] as const) {
      const train = { n, dims: [...dims], blocks: blocks(n, [...dims]) };
      const v = blocks(1, [...dims]);
      const want = dataInfScores(train, v);
      const got = await graphs.scores(train, v);
      const top = Math.max(...want.map(Math.abs));
      got.forEach((x, k) => assert.ok(Math.abs(x - want[k]!) <= 1e-5 * top, `n ${n} row ${k}`));
    }
  } finally {
    await graphs.close();
  }
});
