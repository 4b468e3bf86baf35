import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeFee, splitFee, validateFeeConfig } from './fees.ts';
import { LoraledgerError } from '../../common/index.ts';

const config = validateFeeConfig({
  promptPricePer1k: '1000',
  completionPricePer1k: 3000,
  split: { model: 500_000, adapter: 200_000, data: 300_000 },
});

test('computeFee: per-1k prices, rounded up to the next smallest unit', () => {
  assert.equal(computeFee({ promptTokens: 1000, completionTokens: 1000 }, config), 4000n);
  assert.equal(computeFee({ promptTokens: 7, completionTokens: 3 }, config), 16n); // 7 + 9 = 16 exactly
  assert.equal(computeFee({ promptTokens: 1, completionTokens: 0 }, config), 1n); // 1000/1000
  const cheap = validateFeeConfig({ promptPricePer1k: 1, completionPricePer1k: 1, split: config.split });
  assert.equal(computeFee({ promptTokens: 1, completionTokens: 0 }, cheap), 1n); // 0.001 -> 1
  assert.equal(computeFee({ promptTokens: 0, completionTokens: 0 }, cheap), 0n);
  const wei = validateFeeConfig({
    promptPricePer1k: '1000000000000000000000',
    completionPricePer1k: '0',
    split: config.split,
  });
  assert.equal(computeFee({ promptTokens: 3, completionTokens: 0 }, wei), 3_000_000_000_000_000_000n);
  assert.throws(() => computeFee({ promptTokens: -1, completionTokens: 0 }, config), RangeError);
});

test('splitFee: hand-computed split with an adapter and three sources', () => {
  // fee 1000: adapter pool 200, data pool 300; adapter earns 50% -> 100.
  // shares 500000/333333/166667 of 300 = 150, 99.9999 (99), 50.0001 (50): one unit left over,
  // largest remainder is source 1 (0.9999) -> 100. Model keeps 1000 - 100 - 300 = 600.
  const s = splitFee({ fee: 1000n, config, adapterSharePpm: 500_000, sourceSharesPpm: [500_000, 333_333, 166_667] });
  assert.deepEqual(s, { fee: 1000n, model: 600n, adapter: 100n, sources: [150n, 100n, 50n], training: [] });
});

test('splitFee: unearned pools stay with the model owner; paid never exceeds the fee', () => {
  const none = splitFee({ fee: 999n, config, adapterSharePpm: null, sourceSharesPpm: [0, 0] });
  assert.deepEqual(none, { fee: 999n, model: 999n, adapter: 0n, sources: [0n, 0n], training: [] });
  for (let fee = 0n; fee < 300n; fee += 7n) {
    const r = splitFee({
      fee,
      config,
      adapterSharePpm: 333_333,
      sourceSharesPpm: [250_000, 250_000, 250_000, 250_000],
    });
    const paid = r.adapter + r.sources.reduce((a, b) => a + b, 0n);
    assert.equal(r.model + paid, fee);
    assert.equal(
      r.sources.reduce((a, b) => a + b, 0n),
      (fee * 300_000n) / 1_000_000n,
    ); // full data pool paid
    assert.ok(r.model >= (fee * 500_000n) / 1_000_000n);
    // equal shares: amounts differ by at most 1, extra units go to the lower indices
    for (let i = 1; i < 4; i++) assert.ok(r.sources[i - 1]! >= r.sources[i]! && r.sources[0]! - r.sources[3]! <= 1n);
  }
});

test('splitFee rejects shares out of range', () => {
  assert.throws(
    () => splitFee({ fee: 1n, config, adapterSharePpm: 1_000_001, sourceSharesPpm: [] }),
    /adapterSharePpm/,
  );
  assert.throws(
    () => splitFee({ fee: 1n, config, adapterSharePpm: null, sourceSharesPpm: [600_000, 600_000] }),
    /sum to 1200000/,
  );
});

test('validateFeeConfig rejects fractions not summing to 1e6 and bad prices with config_invalid', () => {
  const bad = (input: Parameters<typeof validateFeeConfig>[0], re: RegExp): void => {
    assert.throws(
      () => validateFeeConfig(input),
      (e: unknown) => e instanceof LoraledgerError && e.code === 'config_invalid' && re.test(e.message),
    );
  };
  bad(
    { promptPricePer1k: 1, completionPricePer1k: 1, split: { model: 500_000, adapter: 200_000, data: 200_000 } },
    /must sum to 1000000 ppm .*= 900000/,
  );
  bad(
    { promptPricePer1k: 1, completionPricePer1k: 1, split: { model: 1_000_001, adapter: 0, data: -1 } },
    /model must be an integer/,
  );
  bad(
    { promptPricePer1k: 1, completionPricePer1k: 1, split: { model: 0.5, adapter: 0, data: 0 } },
    /model must be an integer/,
  );
  bad(
    { promptPricePer1k: '-5', completionPricePer1k: 1, split: config.split },
    /promptPricePer1k must be a non-negative integer/,
  );
  bad({ promptPricePer1k: 1, completionPricePer1k: '1.5', split: config.split }, /completionPricePer1k/);
  bad({ promptPricePer1k: 1, completionPricePer1k: 1, split: config.split, trainingPpm: 1_000_001 }, /training share/);
  assert.equal(config.trainingPpm, 500_000); // default: half of the adapter's earnings
  assert.ok(Object.isFrozen(config) && Object.isFrozen(config.split));
});

test('splitFee: the adapter earnings are split between the owner and the training contributors (hand-computed)', () => {
  // fee 1000: adapter pool 200; the adapter earns 75% -> 150; training half -> 75 split 600000/250000/150000:
  // 45, 18.75 (18), 11.25 (11) = 74, one unit left -> largest remainder 0.75 (index 1) -> 19. Owner 150 - 75 = 75.
  const s = splitFee({
    fee: 1000n,
    config,
    adapterSharePpm: 750_000,
    sourceSharesPpm: [],
    trainingSharesPpm: [600_000, 250_000, 150_000],
  });
  assert.deepEqual(s, { fee: 1000n, model: 850n, adapter: 75n, sources: [], training: [45n, 19n, 11n] });
  // no owner: the trainers are still paid, the owner part stays with the model owner
  const ownerless = splitFee({
    fee: 1000n,
    config,
    adapterSharePpm: 750_000,
    sourceSharesPpm: [],
    trainingSharesPpm: [600_000, 250_000, 150_000],
    adapterOwnerPaid: false,
  });
  assert.deepEqual(ownerless.training, [45n, 19n, 11n]);
  assert.equal(ownerless.adapter, 0n);
  assert.equal(ownerless.model, 925n);
  // no positive training share: the owner keeps all the adapter earned
  const none = splitFee({
    fee: 1000n,
    config,
    adapterSharePpm: 750_000,
    sourceSharesPpm: [],
    trainingSharesPpm: [0, 0],
  });
  assert.deepEqual([none.adapter, none.training], [150n, [0n, 0n]]);
});

test('splitFee: owner + training contributors conserve the adapter earnings exactly, for every fee and ratio', () => {
  const shares = [333_333, 333_333, 333_334];
  for (const trainingPpm of [0, 1, 333_333, 500_000, 999_999, 1_000_000]) {
    const c = validateFeeConfig({ promptPricePer1k: 1, completionPricePer1k: 1, split: config.split, trainingPpm });
    for (let fee = 0n; fee < 2000n; fee += 13n) {
      const r = splitFee({ fee, config: c, adapterSharePpm: 654_321, sourceSharesPpm: [], trainingSharesPpm: shares });
      const earned = (((fee * 200_000n) / 1_000_000n) * 654_321n) / 1_000_000n; // independent: adapter pool x share
      const trainingPool = (earned * BigInt(trainingPpm)) / 1_000_000n;
      assert.equal(
        r.training.reduce((a, b) => a + b, 0n),
        trainingPool,
        `fee ${fee} training ${trainingPpm}`,
      );
      assert.equal(r.adapter + trainingPool, earned);
      assert.equal(r.model + r.adapter + trainingPool, fee);
      assert.ok(r.training.every((t) => t >= (trainingPool * 333_333n) / 1_000_000n));
    }
  }
});

test('splitFee with validators: the pool by DataNet share, then pro rata to stake; open DataNets pay no validator (hand-computed)', () => {
  const withValidators = validateFeeConfig({
    promptPricePer1k: '1000',
    completionPricePer1k: 3000,
    split: { model: 400_000, adapter: 200_000, data: 300_000, validators: 100_000 },
  });
  const e = 10n ** 17n;
  const stakes = new Map([
    [
      'gov',
      [
        { validator: '0xA1', stake: 20n * e },
        { validator: '0xa2', stake: 15n * e },
        { validator: '0xa3', stake: 15n * e },
      ],
    ],
  ]);
  // fee 1000: data pool 300 -> 150/90/60; validator pool 100 -> gov (800000 ppm of sources) 80, open 20;
  // gov's 80 by stake 2 : 1.5 : 1.5 -> 32, 24, 24; open has no validators, its 20 stays: model = 1000 - 300 - 80
  const s = splitFee({
    fee: 1000n,
    config: withValidators,
    adapterSharePpm: null,
    sourceSharesPpm: [500_000, 300_000, 200_000],
    validatorStakes: { sourceDatanets: ['gov', 'gov', 'open'], stakes },
  });
  assert.deepEqual(s, {
    fee: 1000n,
    model: 620n,
    adapter: 0n,
    sources: [150n, 90n, 60n],
    training: [],
    validators: [
      { datanet: 'gov', validator: '0xa1', amount: 32n },
      { datanet: 'gov', validator: '0xa2', amount: 24n },
      { datanet: 'gov', validator: '0xa3', amount: 24n },
    ],
  });
  // equal stakes, 10 to share: 3.33 each, the unit left over to the lowest index
  const even = splitFee({
    fee: 100n,
    config: withValidators,
    adapterSharePpm: null,
    sourceSharesPpm: [1_000_000],
    validatorStakes: {
      sourceDatanets: ['gov'],
      stakes: new Map([['gov', ['0x1', '0x2', '0x3'].map((validator) => ({ validator, stake: 1n }))]]),
    },
  });
  assert.deepEqual(
    even.validators!.map((v) => v.amount),
    [4n, 3n, 3n],
  );
  assert.equal(even.model + even.adapter + even.sources[0]! + 10n, 100n);
  assert.throws(
    () =>
      validateFeeConfig({
        promptPricePer1k: 1,
        completionPricePer1k: 1,
        split: { model: 500_000, adapter: 200_000, data: 300_000, validators: 100_000 },
      }),
    /model 500000 \+ adapter 200000 \+ data 300000 \+ validators 100000 = 1100000/,
  );
});
