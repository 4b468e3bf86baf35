// bench:train's shared counts against the PyTorch peer: the FLOP count of a step against
// torchLora.py's flop_estimate, and the token stream against torch.randint (values printed by
// torch 1.13 on this repo's dev box, see the comments), so both systems do the same work on the
// same tokens. No timing here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SMOLLM_135M_SPEC } from '../factory/index.ts';
import { Mt19937, randomBatch, trainFlops } from './trainWorkload.ts';
import { opClass } from './trainProfile.ts';

test('trainFlops matches torchLora.py flop_estimate for SmolLM-135M, 8 x 128, rank 16, all targets', () => {
  // /usr/bin/python3 -c "import torchLora as t; print(t.flop_estimate({'D':576,'I':1536,'H':9,'Hkv':3,
  //   'Dh':64,'L':30,'V':49152}, list(t.parse_targets('all')), 16, 8, 128))"
  const f = trainFlops(SMOLLM_135M_SPEC, { batch: 8, seq: 128, rank: 16 });
  assert.equal(f.pLin, 134_479_872);
  assert.deepEqual(f.parts, { base: 550_829_555_712, lora: 30_010_245_120, attention: 27_179_089_920 });
  assert.equal(f.total, 608_018_890_752);
});

test('Mt19937 reproduces the torch CPU generator: manual_seed(1), randint(0, 2**31, (1000,))', () => {
  const rng = new Mt19937(1);
  const xs = Array.from({ length: 1000 }, () => rng.next() % 2 ** 31);
  assert.deepEqual([xs[0], xs[623], xs[624], xs[999]], [1791095845, 2006116153, 1104314680, 548926898]);
});

test('randomBatch splits a [B, T+1] randint block into inputs and next-token labels', () => {
  // torch.randint(0, 49152, (2, 5), generator=torch.Generator().manual_seed(1))
  const block = [
    [46117, 16619, 44940, 5192, 48895],
    [33673, 10955, 24197, 35663, 37824],
  ];
  const b = randomBatch(new Mt19937(1), 49152, 2, 4);
  assert.deepEqual([...b.inputIds].map(Number), [...block[0]!.slice(0, 4), ...block[1]!.slice(0, 4)]);
  assert.deepEqual([...b.labels].map(Number), [...block[0]!.slice(1), ...block[1]!.slice(1)]);
  assert.deepEqual([...b.lossMask], new Array(8).fill(1));
  assert.deepEqual([...b.seqLen], [4n, 4n]);
});

test('opClass sorts the profile of a SmolLM step', () => {
  const c = (op: string, shapes: number[][]) => opClass(op, shapes, SMOLLM_135M_SPEC, 16);
  assert.match(
    c('FusedMatMul', [
      [8, 9, 128, 64],
      [8, 9, 128, 64],
      [8, 9, 128, 128],
    ]),
    /^attention matmuls/,
  );
  assert.equal(
    c('MatMul', [
      [1024, 576],
      [1024, 49152],
    ]),
    'lm_head matmul',
  );
  assert.equal(
    c('MatMul', [
      [1024, 576],
      [1024, 16],
    ]),
    'LoRA matmuls',
  );
  assert.equal(
    c('MatMul', [
      [16, 1024],
      [1024, 576],
      [16, 576],
    ]),
    'LoRA matmuls',
  );
  assert.match(
    c('MatMul', [
      [1024, 576],
      [1024, 1536],
    ]),
    /^projection matmuls/,
  );
  assert.match(
    c('Softmax', [
      [8, 9, 128, 128],
      [8, 9, 128, 128],
    ]),
    /^attention softmax/,
  );
  assert.match(
    c('LogSoftmax', [
      [1024, 49152],
      [1024, 49152],
    ]),
    /over vocab$/,
  );
  assert.match(
    c('Transpose', [
      [1024, 576],
      [576, 1024],
    ]),
    /^layout/,
  );
});
