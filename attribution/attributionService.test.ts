// The orchestration with the real store, retriever, EIP-712 signer and SQLite outbox. The scorer
// is a known game over prompt ids (its Shapley values are hand-computed below); the real model is
// exercised in plantedEvidence.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AttributionService, signAndAppend, type Scorer } from './attributionService.ts';
import { DatanetStore } from './data/datanetStore.ts';
import { Retriever } from './data/retrieve.ts';
import { validateFeeConfig } from './scoring/fees.ts';
import { createRecordSigner, eip712Domain, verifyRecord } from './records/eip712.ts';
import { Outbox } from './settlement/outbox.ts';
import { PLAIN_RAG_TEMPLATE } from './data/augmentPrompt.ts';
import { keccak256 } from './records/keccak256.ts';
import { parseAttributionRequest } from './attributionRequest.ts';
import { LoraledgerError } from '../common/index.ts';

const alice = '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed';
const bob = '0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359';
const owner = '0xdbf03b407c01e7cd3cbea99509d93f8dddc8c6fb';
const KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';

/** Words of the form w<number> map to ids; the chat "template" joins contents with a separator id 0. */
const tokenizer = {
  encode: (text: string): number[] => (text.match(/\d+/g) ?? []).map(Number),
  applyChatTemplate: (messages: { content: string }[]): number[] =>
    messages.flatMap((m) => [0, ...tokenizer.encode(m.content)]),
};

/** log p(target | prompt) = sum over target ids of (-1 if the id is in the prompt else -4), +0.5 per token with an adapter. */
/** The options of each score call, in order. */
const scoreOptions: Array<{ reuseKvOf?: string } | undefined> = [];
function gameScorer(calls: number[]): Scorer {
  return {
    async score(variants, options) {
      calls.push(variants.length);
      scoreOptions.push(options);
      return variants.map((v) => ({
        total: v.targetIds.reduce((a, t) => a + (v.promptIds.includes(t) ? -1 : -4) + (v.adapterId ? 0.5 : 0), 0),
      }));
    },
  };
}

function setup(dir: string, calls: number[], extra: Partial<ConstructorParameters<typeof AttributionService>[0]> = {}) {
  const store = new DatanetStore(':memory:');
  store.createDatanet({ id: 'facts' });
  store.addDocument({ datanet: 'facts', text: 'w7 w11 w12', contributor: alice }); // holds answer token 11
  store.addDocument({ datanet: 'facts', text: 'w7 w13', contributor: bob }); // holds answer token 13
  store.addDocument({ datanet: 'facts', text: 'w7 w99', contributor: bob }); // holds nothing of the answer
  const outbox = new Outbox(join(dir, 'outbox.sqlite'));
  const domain = eip712Domain(31337, '0x5FbDB2315678afecb367f032d93F642f64180aa3');
  const signer = createRecordSigner(KEY, domain);
  const service = new AttributionService({
    retriever: new Retriever(store),
    scorer: gameScorer(calls),
    sink: signAndAppend(signer, outbox),
    tokenizer,
    fees: validateFeeConfig({
      promptPricePer1k: '1000000',
      completionPricePer1k: '2000000',
      split: { model: 500_000, adapter: 200_000, data: 300_000 },
    }),
    model: 'base',
    adapterOwner: (id) => (id === 'lora-a' ? owner : null),
    template: PLAIN_RAG_TEMPLATE,
    now: () => 1_700_000_000_000,
    ...extra,
  });
  return { service, outbox, domain, store };
}

test('inline: the base-model variant, then one batched call of the subsets, exact Shapley shares, fee split, signed record durable in the outbox', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'attr-svc-'));
  try {
    const calls: number[] = [];
    const { service, outbox, domain } = setup(dir, calls);
    const parts = await service.prepare({
      requestId: 'req-1',
      body: { rag: { datanets: ['facts'], top_k: 3 } },
      parts: { kind: 'completion', prompt: 'w7' },
    });
    const passages = service.passagesOf('req-1')!;
    assert.equal(passages.length, 3);
    assert.ok(parts?.kind === 'completion' && parts.prompt.endsWith(' w7'));
    const served = tokenizer.encode(parts.prompt);
    const out = await service.onCompletion({
      requestId: 'req-1',
      adapterId: 'lora-a',
      promptIds: [served],
      outputs: [{ index: 0, text: 'w11 w13', tokenIds: [11, 13] }],
      usage: { prompt_tokens: 500, completion_tokens: 250 },
      retainedKv: 'req-1-0',
    });
    assert.ok(out && out.status === 'signed');
    // the base-model variant first (it shares nothing, it runs while the subsets are tokenized),
    // then the 2^3 subsets in ONE call that may read the answer's retained keys/values
    assert.deepEqual(calls, [1, 8]);
    assert.deepEqual(scoreOptions.slice(-2), [undefined, { reuseKvOf: 'req-1-0' }]);
    // Additive game: passage with 11 adds 3 nats, with 13 adds 3 nats, the third 0 => Shapley (3, 3, 0).
    const byText = (t: string) => out.sources.find((s) => passages.find((p) => p.docId === s.doc_id)!.text === t)!;
    assert.equal(byText('w7 w11 w12').score, 3);
    assert.equal(byText('w7 w13').score, 3);
    assert.equal(byText('w7 w99').score, 0);
    assert.deepEqual(
      [byText('w7 w11 w12').share_ppm, byText('w7 w13').share_ppm, byText('w7 w99').share_ppm].sort(),
      [0, 500_000, 500_000],
    );
    // Adapter: +0.5 per token, 2 tokens => influence 1 nat => share 1 - e^-1.
    assert.equal(out.adapter!.score, 1);
    assert.equal(out.adapter!.share_ppm, Math.round(1e6 * (1 - Math.exp(-1))));
    // Fee: 500 * 1e6/1000 + 250 * 2e6/1000 = 1_000_000; data pool 300_000 split 150_000 / 150_000.
    assert.equal(out.fee.total, '1000000');
    assert.equal(out.fee.data, '300000');
    assert.equal(out.adapter!.amount, String((200_000n * BigInt(out.adapter!.share_ppm)) / 1_000_000n));
    assert.equal(BigInt(out.fee.model) + BigInt(out.fee.adapter) + BigInt(out.fee.data), 1_000_000n);
    assert.equal(out.method, 'shapley-exact-v1');
    assert.equal(out.record_id, keccak256('req-1'));
    const stored = outbox.get(out.record_id);
    assert.ok(stored, 'record must be in the outbox before onCompletion resolves');
    assert.equal(stored.signed.digest, out.digest);
    assert.ok(await verifyRecord(stored.signed, domain));
    assert.equal(stored.signed.record.adapterOwner.toLowerCase(), owner);
    assert.equal(
      await service.onCompletion({
        requestId: 'req-1',
        adapterId: null,
        promptIds: [[]],
        outputs: [],
        usage: { prompt_tokens: 0, completion_tokens: 0 },
      }),
      null,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('beyond the exact-Shapley limit the default is the linear surrogate: 2k subsets, the weights of an additive game', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'attr-svc-'));
  try {
    const calls: number[] = [];
    const { service } = setup(dir, calls, { maxExactShapleyK: 2 });
    const parts = { kind: 'completion' as const, prompt: 'w7' };
    const passages = await service.retrieve(parts, { datanets: ['facts'], topK: 3 });
    assert.equal(passages.length, 3);
    const r = await service.attribute({
      requestId: 'req-s',
      parts,
      passages,
      adapterId: null,
      outputIds: [11, 13],
      outputText: 'w11 w13',
      usage: { promptTokens: 10, completionTokens: 2 },
    });
    assert.deepEqual(calls, [6]); // ∅, {0}, {1}, {0,1}, {2}, {0,1,2}
    assert.equal(r.method, 'linear-surrogate-v1');
    // The game is additive: a passage holding an answer token moves it from -4 to -1 (+3 nats).
    r.sources.forEach((src, i) => {
      const want = /\bw1[13]\b/.test(passages[i]!.text) ? 3 : 0;
      assert.ok(Math.abs(src.score - want) < 1e-9, `passage ${i}: ${src.score} vs ${want}`);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('leave-one-out beyond the exact-Shapley limit; async returns pending and fills the outbox later', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'attr-svc-'));
  try {
    const calls: number[] = [];
    const { service, outbox } = setup(dir, calls, { maxExactShapleyK: 2, largeKMethod: 'leave_one_out' });
    const body = { rag: { datanets: ['facts'], top_k: 3 }, stream: true };
    assert.equal(parseAttributionRequest(body).mode, 'async');
    const parts = await service.prepare({
      requestId: 'req-2',
      body,
      parts: { kind: 'chat', messages: [{ role: 'user', content: 'w7' }] },
    });
    assert.ok(parts?.kind === 'chat');
    const pending = await service.onCompletion({
      requestId: 'req-2',
      adapterId: null,
      promptIds: [tokenizer.applyChatTemplate(parts.messages)],
      outputs: [{ index: 0, text: 'w11', tokenIds: [11] }],
      usage: { prompt_tokens: 10, completion_tokens: 1 },
    });
    assert.deepEqual(pending, { record_id: keccak256('req-2'), status: 'pending' });
    await service.drain();
    assert.deepEqual(calls, [4]); // full + 3 leave-one-out, no adapter variant
    const rec = outbox.get(keccak256('req-2'))!.signed.record;
    assert.equal(rec.method, 'loo-logprob-v1');
    assert.equal(rec.sources[0]!.sharePpm, 1_000_000);
    assert.equal(rec.adapter, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('adapter-only attribution (no rag), unowned adapters earn nothing, off mode is not remembered', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'attr-svc-'));
  try {
    const calls: number[] = [];
    const { service } = setup(dir, calls);
    assert.deepEqual(parseAttributionRequest({ attribution: true }), { rag: null, mode: 'inline' });
    assert.equal(await service.prepare({ requestId: 'r3', body: { attribution: true }, parts: null }), null); // token-id prompt: fine without rag
    const out = await service.onCompletion({
      requestId: 'r3',
      adapterId: 'stranger',
      promptIds: [[1]],
      outputs: [{ index: 0, text: 'w5', tokenIds: [5] }],
      usage: { prompt_tokens: 1, completion_tokens: 1 },
    });
    assert.ok(out && out.status === 'signed');
    assert.deepEqual(calls, [1, 1]);
    assert.equal(out.method, 'adapter-logprob-v1');
    assert.deepEqual(out.adapter, { id: 'stranger', owner: null, share_ppm: 0, score: 0.5, amount: '0' });
    assert.equal(out.fee.model, out.fee.total);
    assert.equal(
      await service.prepare({ requestId: 'r4', body: {}, parts: { kind: 'completion', prompt: 'w1' } }),
      null,
    );
    assert.equal(
      await service.onCompletion({
        requestId: 'r4',
        adapterId: null,
        promptIds: [[1]],
        outputs: [],
        usage: { prompt_tokens: 1, completion_tokens: 0 },
      }),
      null,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad attribution request fields are 400s naming the field', () => {
  const bad = (body: Record<string, unknown>, param: string) =>
    assert.throws(
      () => parseAttributionRequest(body),
      (e: unknown) => e instanceof LoraledgerError && e.code === 'invalid_request' && e.param === param,
    );
  bad({ rag: 'facts' }, 'rag');
  bad({ rag: { datanets: [] } }, 'rag.datanets');
  bad({ rag: { datanets: ['a', 7] } }, 'rag.datanets');
  bad({ rag: { datanets: ['a'], top_k: 0 } }, 'rag.top_k');
  bad({ rag: { datanets: ['a'], top_k: 2.5 } }, 'rag.top_k');
  bad({ rag: { datanets: ['a'], topk: 2 } }, 'rag.topk');
  bad({ attribution: 'sometimes' }, 'attribution');
  assert.deepEqual(parseAttributionRequest({}), { rag: null, mode: 'off' });
  assert.deepEqual(parseAttributionRequest({ rag: { datanets: ['a'] }, attribution: 'off' }), {
    rag: { datanets: ['a'], topK: 4 },
    mode: 'off',
  });
});

test('prepare refuses unknown DataNets (404), rag on token ids and bad modes (400); forget drops a request', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'attr-svc-'));
  try {
    const { service } = setup(dir, []);
    await assert.rejects(
      service.prepare({
        requestId: 'x',
        body: { rag: { datanets: ['nope'], top_k: 2 } },
        parts: { kind: 'completion', prompt: 'w1' },
      }),
      (e: unknown) => e instanceof LoraledgerError && e.code === 'datanet_not_found' && e.status === 404,
    );
    await assert.rejects(
      service.prepare({ requestId: 'y', body: { rag: { datanets: ['facts'] } }, parts: null }),
      (e: unknown) => e instanceof LoraledgerError && e.code === 'invalid_request' && e.param === 'rag',
    );
    await assert.rejects(
      service.prepare({ requestId: 'z', body: { attribution: 'maybe' }, parts: null }),
      (e: unknown) => e instanceof LoraledgerError && e.code === 'invalid_request' && e.param === 'attribution',
    );
    // forget drops a prepared request: its completion is not attributed
    await service.prepare({ requestId: 'f', body: { attribution: 'inline' }, parts: null });
    service.forget('f');
    assert.equal(
      await service.onCompletion({
        requestId: 'f',
        adapterId: null,
        promptIds: [[1]],
        outputs: [],
        usage: { prompt_tokens: 1, completion_tokens: 0 },
      }),
      null,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
