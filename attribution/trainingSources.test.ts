// Training-data attribution through the real service: real DataNet store, real span index
// (SQLite, in memory), real EIP-712 signer and outbox. The influence scorer is a fixture that
// returns given scores (the TrainingInfluence interface); DataInf itself is tested in
// scoring/influence/. Expected shares and amounts are hand-computed from the documented rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AttributionService, signAndAppend, type Scorer } from './attributionService.ts';
import { DatanetStore } from './data/datanetStore.ts';
import { Retriever } from './data/retrieve.ts';
import { SpanIndex } from './data/spanIndexStore.ts';
import { validateFeeConfig } from './scoring/fees.ts';
import { createRecordSigner, eip712Domain, recordPrimaryType, verifyRecord } from './records/eip712.ts';
import { Outbox } from './settlement/outbox.ts';
import type { TrainingInfluence } from './scoring/influence/trainingInfluence.ts';
import type { AttributionResult } from './attributionRequest.ts';
import { copyCredit } from './trainingSources.ts';
import { keccak256 } from './records/keccak256.ts';
import { ZERO_HASH } from './records/recordTypes.ts';

const alice = '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed';
const bob = '0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359';
const carol = '0xdbf03b407c01e7cd3cbea99509d93f8dddc8c6fb';
const owner = '0x00000000000000000000000000000000000000aa';
const KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const tokenizer = {
  encode: (text: string): number[] => (text.match(/\d+/g) ?? []).map(Number),
  applyChatTemplate: (messages: { content: string }[]): number[] =>
    messages.flatMap((m) => tokenizer.encode(m.content)),
};
/** log p = -4 per target token, +0.5 per token under an adapter: adapter influence = 0.5 nats per token. */
const scorer: Scorer = {
  score: async (variants) =>
    variants.map((v) => ({ total: v.targetIds.reduce((a) => a + -4 + (v.adapterId ? 0.5 : 0), 0) })),
};

function setup(dir: string, influence: TrainingInfluence | null, errors: unknown[] = []) {
  const store = new DatanetStore(':memory:');
  const spans = new SpanIndex({ path: ':memory:', tokenize: tokenizer.encode, tokenizerId: 'words' });
  store.onDocument((d) => spans.add(d));
  store.createDatanet({ id: 'skin' });
  const a = store.addDocument({ datanet: 'skin', text: 'w101 w102 w103 w104 w105', contributor: alice });
  const b = store.addDocument({
    datanet: 'skin',
    text: 'w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 w15',
    contributor: bob,
  });
  const examples = [
    { id: a.docId, datanet: 'skin', contributor: alice },
    { id: b.docId, datanet: 'skin', contributor: bob },
    { id: 'line:3', datanet: null, contributor: carol },
  ];
  const outbox = new Outbox(join(dir, 'outbox.sqlite'));
  const domain = eip712Domain(31337, '0x5FbDB2315678afecb367f032d93F642f64180aa3');
  const service = new AttributionService({
    retriever: new Retriever(store),
    scorer,
    sink: signAndAppend(createRecordSigner(KEY, domain), outbox),
    tokenizer,
    fees: validateFeeConfig({
      promptPricePer1k: '1000000',
      completionPricePer1k: '2000000',
      split: { model: 500_000, adapter: 200_000, data: 300_000 },
      trainingPpm: 500_000,
    }),
    model: 'base',
    adapterOwner: (id) => (id === 'derm' ? owner : null),
    trainingInfluence: influence,
    trainingExamples: async (id) => (id === 'derm' || id === 'ownerless' ? examples : null),
    spanIndex: spans,
    spanMinTokens: 8,
    onTrainingError: (err) => errors.push(err),
    now: () => 1_700_000_000_000,
  });
  return { service, outbox, domain, a, b };
}

async function ask(service: AttributionService, adapterId: string, outputIds: number[]): Promise<AttributionResult> {
  await service.prepare({
    requestId: `r-${adapterId}`,
    body: { attribution: 'inline' },
    parts: { kind: 'completion', prompt: 'w1' },
  });
  const out = await service.onCompletion({
    requestId: `r-${adapterId}`,
    adapterId,
    promptIds: [[1]],
    outputs: [{ index: 0, text: 'answer', tokenIds: outputIds }],
    usage: { prompt_tokens: 500, completion_tokens: 250 },
  });
  assert.ok(out && out.status === 'signed');
  return out;
}

// the answer: 10 tokens copied from bob's document, then 2 of its own: covered 10 of 12
const ANSWER = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 900, 901];

test('training sources: positive influence, lifted by a copied span, paid from the adapter earnings; record v2 verifies', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'attr-train-'));
  try {
    const asked: unknown[] = [];
    const influence: TrainingInfluence = {
      async score(req) {
        asked.push(req);
        return [
          { exampleId: 'line:3', datanet: null, docId: null, contributor: carol, score: -2 },
          { exampleId: examples(0), datanet: 'skin', docId: examples(0), contributor: alice, score: 3 },
          { exampleId: examples(1), datanet: 'skin', docId: examples(1), contributor: bob, score: 1 },
        ];
      },
    };
    const { service, outbox, domain, a, b } = setup(dir, influence);
    function examples(i: number): string {
      return [a, b][i]!.docId;
    }
    const out = await ask(service, 'derm', ANSWER);
    assert.deepEqual(asked, [{ adapterId: 'derm', promptIds: [1], completionIds: ANSWER, topK: 16 }]);
    assert.equal(out.method, 'adapter-logprob-v1+datainf-v1');
    // p = (0.75 alice, 0.25 bob); bob's copy covers 10/12 -> weights (0.75, 0.8333): 473684.2 / 526315.8 ppm
    assert.deepEqual(
      out.training_sources.map((t) => [t.contributor, t.share_ppm, t.span_tokens]),
      [
        [bob, 526_316, 10],
        [alice, 473_684, 0],
      ],
    );
    // fee 1_000_000; adapter pool 200_000; influence 6 nats -> share round(1e6 (1 - e^-6)) = 997521
    // earned 199504; training pool 99752 -> bob 99752*0.526316 = 52500.6 -> 52500, alice 47251.4 -> 47251, +1 to bob
    assert.equal(out.adapter!.share_ppm, 997_521);
    assert.equal(out.fee.training, '99752');
    assert.deepEqual(
      out.training_sources.map((t) => t.amount),
      ['52501', '47251'],
    );
    assert.equal(out.adapter!.amount, '99752');
    assert.equal(
      BigInt(out.fee.model) + BigInt(out.fee.adapter) + BigInt(out.fee.data) + BigInt(out.fee.training),
      1_000_000n,
    );
    assert.deepEqual(out.training.by_contributor, [
      { contributor: bob, share_ppm: 526_316, amount: '52501' },
      { contributor: alice, share_ppm: 473_684, amount: '47251' },
    ]);
    assert.deepEqual(out.training.by_datanet, [{ datanet: 'skin', share_ppm: 1_000_000, amount: '99752' }]);
    assert.deepEqual(out.spans, [
      {
        doc_id: b.docId,
        datanet: 'skin',
        longest: 10,
        covered: 10,
        spans: [{ answer_start: 0, doc_start: 2, length: 10 }],
      },
    ]);
    const stored = outbox.get(out.record_id)!.signed;
    assert.equal(recordPrimaryType(stored.record), 'AttributionRecordV2');
    assert.ok(await verifyRecord(stored, domain));
    assert.deepEqual(
      stored.record.trainingSources!.map((t) => [t.exampleId, t.influence, t.spanTokens, t.sharePpm, t.amount]),
      [
        [b.docId, '1', 10, 526_316, '52501'],
        [a.docId, '3', 0, 473_684, '47251'],
      ],
    );
    assert.deepEqual(stored.record.spans, [{ docId: b.docId, answerStart: 0, docStart: 2, length: 10 }]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('copyCredit: a copied token is credited once, split among the documents holding it', () => {
  const doc = (docId: string, spans: Array<[number, number]>) => ({
    docId,
    datanet: 'n',
    longest: 0,
    covered: 0,
    spans: spans.map(([answerStart, length]) => ({ answerStart, docStart: 0, length })),
  });
  // answer of 10 tokens: x covers 0..8, y covers 4..8 and 8..10 (overlapping spans count once)
  const credit = copyCredit(
    [
      doc('x', [[0, 8]]),
      doc('y', [
        [4, 4],
        [6, 4],
      ]),
    ],
    10,
  );
  assert.deepEqual(credit, [4 + 4 / 2, 4 / 2 + 2]);
});

test('an influence failure is reported and the request is attributed from spans; no manifest, no training sources', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'attr-train-'));
  try {
    const errors: unknown[] = [];
    const failing: TrainingInfluence = {
      score: async () => {
        throw new Error('gradients gone');
      },
    };
    const { service, b } = setup(dir, failing, errors);
    const out = await ask(service, 'ownerless', ANSWER);
    assert.equal(out.method, 'adapter-logprob-v1+spans-v1');
    assert.equal((errors[0] as Error).message, 'gradients gone');
    // only bob's span: all of the training pool; no owner, so the owner part stays with the model owner
    assert.deepEqual(
      out.training_sources.map((t) => [t.example_id, t.share_ppm, t.amount]),
      [[b.docId, 1_000_000, '99752']],
    );
    assert.equal(out.adapter!.amount, '0');
    assert.equal(out.fee.model, String(1_000_000 - 99_752));
    const broken = await ask(
      new AttributionService({
        ...(service as unknown as { o: ConstructorParameters<typeof AttributionService>[0] }).o,
        trainingExamples: async () => JSON.parse('{not json'),
      }),
      'derm',
      ANSWER,
    );
    assert.equal(broken.method, 'adapter-logprob-v1');
    assert.deepEqual(broken.training_sources, []);
    assert.ok(errors[1] instanceof SyntaxError, 'the unreadable manifest is reported');
    const none = await ask(service, 'plain', ANSWER);
    assert.equal(none.method, 'adapter-logprob-v1');
    assert.deepEqual(none.training_sources, []);
    assert.equal(none.fee.training, '0');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('async mode: pending at once, then the version 2 record with training sources lands in the outbox', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'attr-train-'));
  try {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const influence: TrainingInfluence = {
      async score() {
        await gate; // the scorer is still running when the response goes out
        return [{ exampleId: 'line:3', datanet: null, docId: null, contributor: carol, score: 2 }];
      },
    };
    const { service, outbox } = setup(dir, influence);
    await service.prepare({
      requestId: 'r-async',
      body: { attribution: 'async' },
      parts: { kind: 'completion', prompt: 'w1' },
    });
    const out = await service.onCompletion({
      requestId: 'r-async',
      adapterId: 'derm',
      promptIds: [[1]],
      outputs: [{ index: 0, text: 'answer', tokenIds: [900, 901] }],
      usage: { prompt_tokens: 500, completion_tokens: 250 },
    });
    assert.deepEqual(out, { record_id: keccak256('r-async'), status: 'pending' });
    assert.equal(outbox.get(out.record_id), null, 'not signed before the scorer answers');
    release();
    await service.drain();
    const r = outbox.get(out.record_id)!.signed.record;
    assert.equal(r.method, 'adapter-logprob-v1+datainf-v1');
    assert.deepEqual(
      r.trainingSources!.map((t) => [t.exampleId, t.sharePpm, t.docId, t.datanet]),
      [['line:3', 1_000_000, ZERO_HASH, '']],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
