import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mnemonicToAccount } from 'viem/accounts';
import { AdapterRouter } from '../../../adapters/index.ts';
import { augmentText, DATANET_ID } from '../../../attribution/index.ts';
import { documentRow } from '../../train/documentRows.ts';
import {
  buildDemoDomains,
  COPYING_EXAMPLES,
  corpusText,
  DEMO_DOMAINS,
  DEMO_MNEMONIC,
  FIRST_CONTRIBUTOR_INDEX,
  GENERAL_CHATS,
  GENERAL_DOCUMENTS,
  type DemoDocument,
} from './index.ts';
import { copyingExamples } from './copyingExamples.ts';
import { generalChats } from './generalChats.ts';
import { generalProse } from './generalProse.ts';

const kb = (s: string) => Buffer.byteLength(s) / 1024;
const answerOf = (d: DemoDocument) => d.metadata?.messages[1]?.content;
const sentences = (s: string) => s.split(/(?<=[.!?])\s+(?=[A-Z`])/).length;

test('four domains with the demo adapter ids and expected counts', () => {
  assert.deepEqual(
    DEMO_DOMAINS.map((d) => d.id),
    ['dermatology', 'contracts-law', 'cooking', 'python-code'],
  );
  for (const d of DEMO_DOMAINS) {
    assert.match(d.datanet, DATANET_ID, d.id);
    assert.equal(d.contributors.length, 3, d.id);
    assert.ok(d.documents.length >= 60 && d.documents.length <= 100, `${d.id}: ${d.documents.length} documents`);
    assert.ok(d.heldOut.length >= 15 && d.heldOut.length <= 25, `${d.id}: ${d.heldOut.length} held out`);
    assert.equal(d.routingQuestions.length, 25, d.id);
    for (const docs of [d.documents, d.heldOut]) {
      const qa = docs.filter((x) => x.metadata).length / docs.length;
      assert.ok(qa > 0.6 && qa < 0.72, `${d.id}: Q&A share ${qa.toFixed(2)}, want about 2/3`);
    }
  }
});

test('documents: Q&A rows are short chat rows whose text is question + answer; explanations are 1-3 plain sentences', () => {
  for (const d of DEMO_DOMAINS) {
    for (const doc of [...d.documents, ...d.heldOut]) {
      const { row } = documentRow({ docId: doc.id, text: doc.text, metadata: doc.metadata ?? {} });
      if (doc.metadata) {
        const [user, assistant] = doc.metadata.messages;
        assert.equal(row.kind, 'chat', doc.id);
        assert.equal(doc.metadata.messages.length, 2, doc.id);
        assert.equal(user!.role, 'user', doc.id);
        assert.equal(assistant!.role, 'assistant', doc.id);
        assert.equal(doc.text, `${user!.content} ${assistant!.content}`, doc.id);
        assert.ok(assistant!.content.split(/\s+/).length < 40, `${doc.id}: answer has 40+ words`);
        assert.ok(sentences(assistant!.content) <= 2, `${doc.id}: answer has 3+ sentences`);
      } else {
        assert.equal(row.kind, 'text', doc.id);
        assert.ok(sentences(doc.text) <= 3, `${doc.id}: explanation has 4+ sentences`);
      }
      assert.ok(!doc.text.includes('\n'), `${doc.id}: one line (a RAG passage is one line)`);
    }
  }
});

test('ids are unique across every domain, training and held out', () => {
  const ids = DEMO_DOMAINS.flatMap((d) => [...d.documents, ...d.heldOut].map((x) => x.id));
  assert.equal(new Set(ids).size, ids.length);
});

test('the corpus is deterministic: equal on a second build and in another process', () => {
  assert.deepEqual(buildDemoDomains(), DEMO_DOMAINS);
  assert.deepEqual(generalProse(), GENERAL_DOCUMENTS);
  assert.deepEqual(generalChats(), GENERAL_CHATS);
  assert.deepEqual(copyingExamples(), COPYING_EXAMPLES);
  const here = createHash('sha256').update(corpusText()).digest('hex');
  const there = execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `import { createHash } from 'node:crypto';
       import { corpusText } from ${JSON.stringify(new URL('./index.ts', import.meta.url).href)};
       process.stdout.write(createHash('sha256').update(corpusText()).digest('hex'));`,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(there, here);
});

test('routing questions and held-out documents are held out', () => {
  for (const d of DEMO_DOMAINS) {
    const trainTexts = new Set(d.documents.map((x) => x.text.toLowerCase()));
    for (const h of d.heldOut) assert.ok(!trainTexts.has(h.text.toLowerCase()), `${h.id} repeats a training text`);
    assert.equal(new Set(d.routingQuestions).size, d.routingQuestions.length, `${d.id}: duplicate questions`);
  }
  const haystacks = DEMO_DOMAINS.flatMap((d) => [
    d.description,
    ...d.tags,
    ...[...d.documents, ...d.heldOut].flatMap((x) => [x.text, ...(x.metadata?.messages.map((m) => m.content) ?? [])]),
  ]).map((s) => s.toLowerCase());
  for (const d of DEMO_DOMAINS)
    for (const q of d.routingQuestions) {
      const lq = q.toLowerCase();
      assert.ok(!haystacks.some((h) => h.includes(lq)), `${d.id}: "${q}" appears in the corpus or the adapter card`);
    }
});

test('auto routing (BM25 over description + tags) sends every routing question to its domain', () => {
  const router = new AdapterRouter();
  router.setAdapters(DEMO_DOMAINS.map((d) => ({ id: d.id, description: d.description, tags: [...d.tags] })));
  for (const d of DEMO_DOMAINS)
    for (const q of d.routingQuestions)
      assert.equal(router.route(q).adapterId, d.id, `"${q}": ${router.route(q).reason}`);
});

test('held-out answers share facts with training answers (same fact, new question wording)', () => {
  for (const d of DEMO_DOMAINS) {
    const trainAnswers = new Set(d.documents.map(answerOf).filter((a) => a !== undefined));
    for (const h of d.heldOut.filter((x) => x.metadata)) assert.ok(trainAnswers.has(answerOf(h)!), h.id);
  }
});

test('contributors re-derive from the anvil test mnemonic (indexes 5-16), each with 10+ documents', () => {
  const contributors = DEMO_DOMAINS.flatMap((d) => d.contributors);
  assert.equal(contributors.length, 12);
  contributors.forEach((c, i) => {
    const account = mnemonicToAccount(DEMO_MNEMONIC, { addressIndex: FIRST_CONTRIBUTOR_INDEX + i });
    assert.equal(c.address, account.address, c.name);
  });
  DEMO_DOMAINS.forEach((d, i) =>
    assert.equal(d.owner, mnemonicToAccount(DEMO_MNEMONIC, { addressIndex: 1 + i }).address, d.id),
  );
  for (const d of DEMO_DOMAINS) {
    const own = new Set(d.contributors.map((c) => c.address));
    for (const doc of [...d.documents, ...d.heldOut])
      assert.ok(own.has(doc.contributor), `${doc.id}: foreign contributor`);
    for (const c of d.contributors) {
      const n = d.documents.filter((doc) => doc.contributor === c.address).length;
      assert.ok(n >= 10, `${c.name}: ${n} documents`);
    }
  }
});

test('copying examples: the answer is a span of its source passage, sources uniform per passage count', () => {
  assert.ok(COPYING_EXAMPLES.length >= 300 && COPYING_EXAMPLES.length <= 600);
  const bySize = new Map<number, number[]>();
  for (const e of COPYING_EXAMPLES) {
    const m = e.passages.length;
    assert.ok(m >= 1 && m <= 4, e.question);
    assert.ok(e.source >= 0 && e.source < m, e.question);
    assert.ok(e.passages[e.source]!.includes(e.answer), `"${e.answer}" not in passage ${e.source + 1}`);
    for (const p of e.passages) assert.ok(p !== '' && !p.includes('\n'), e.question);
    const rendered = augmentText(
      e.passages.map((text) => ({ text })),
      e.question,
    );
    assert.ok(rendered.includes(`(${e.source + 1}) ${e.passages[e.source]}\n`), e.question);
    const counts = bySize.get(m) ?? new Array<number>(m).fill(0);
    counts[e.source]!++;
    bySize.set(m, counts);
  }
  assert.deepEqual([...bySize.keys()].sort(), [1, 2, 3, 4]);
  for (const [m, counts] of bySize)
    assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `m=${m}: sources ${counts.join(', ')}`);
});

test('general chats alternate user and assistant, user first and assistant last', () => {
  assert.ok(GENERAL_CHATS.length >= 100);
  for (const c of GENERAL_CHATS) {
    assert.ok(c.length >= 2 && c.length % 2 === 0);
    c.forEach((m, i) => assert.equal(m.role, i % 2 === 0 ? 'user' : 'assistant'));
    for (const m of c) assert.ok(m.content.trim() !== '');
  }
});

test('corpus size stays modest', () => {
  const domains = kb(DEMO_DOMAINS.flatMap((d) => [...d.documents, ...d.heldOut].map((x) => x.text)).join('\n\n'));
  const prose = kb(GENERAL_DOCUMENTS.join('\n\n'));
  const chats = kb(GENERAL_CHATS.flatMap((c) => c.map((m) => m.content)).join('\n\n'));
  const copying = kb(COPYING_EXAMPLES.flatMap((e) => [...e.passages, e.question, e.answer]).join('\n\n'));
  const total = kb(corpusText());
  console.log(
    `corpus KB: domains ${domains.toFixed(1)}, prose ${prose.toFixed(1)}, chats ${chats.toFixed(1)}, ` +
      `copying ${copying.toFixed(1)}, total ${total.toFixed(1)}`,
  );
  assert.ok(prose + chats + copying <= 300, 'general corpus over 300 KB');
  assert.ok(total <= 400, 'corpus over 400 KB');
});
