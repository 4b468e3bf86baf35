import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RequestError } from '../../common/index.ts';
import { loadTokenizer } from '../../kernels/model/index.ts';
import { quickEmbeddedDefault } from '../../test/support/embeddedQuick.ts';
import { documentRow } from './documentRows.ts';
import { parseTrainingJsonl } from './parseTrainingJsonl.ts';
import { buildTrainExamples, tokenizerAddsBos, type TrainExample } from './trainExamples.ts';
import type { SourcedRow, TrainingRow } from './trainingRows.ts';

// stories260K's stand-in tokenizer spells token i "[i]", splits on whitespace, maps unknown words
// ("user:") to [0], has BOS [1] / EOS [2], adds no BOS itself and has no chat template.
const STORIES = new URL('../../../shared/models/stories260K', import.meta.url).pathname;
const stories = loadTokenizer(STORIES);
const base = mkdtempSync(join(tmpdir(), 'train-examples-'));
test.after(() => rmSync(base, { recursive: true, force: true }));
const chatml = quickEmbeddedDefault(base).then((d) => loadTokenizer(d.modelDir));

const row = (r: TrainingRow, id = 'r'): SourcedRow => ({ id, row: r });
const opts = { contextLength: 64, overflow: 'refuse' as const };
/** For the embedded default's chats (its quick profile's small vocabulary spells them long). */
const wide = { ...opts, contextLength: 256 };
const one = (e: { examples: TrainExample[] }) => {
  assert.equal(e.examples.length, 1);
  return e.examples[0]!;
};

test('stories260K: prompt/completion -> [BOS] prompt completion EOS, loss on completion and EOS', async () => {
  const tok = await stories;
  assert.equal(tokenizerAddsBos(tok), false);
  const r = row({ kind: 'completion', prompt: '[5] [6]', completion: ' [7] [8]' });
  assert.deepEqual(one(buildTrainExamples([r], tok, opts)), {
    id: 'r',
    tokens: [5, 6, 7, 8, 2],
    weights: [0, 0, 1, 1, 1],
  });
  assert.deepEqual(one(buildTrainExamples([r], tok, { ...opts, addBos: true })), {
    id: 'r',
    tokens: [1, 5, 6, 7, 8, 2],
    weights: [0, 0, 0, 1, 1, 1],
  });
  // An empty prompt without BOS: the first completion token has nothing to be predicted from.
  const empty = row({ kind: 'completion', prompt: '', completion: '[7] [8]' });
  assert.deepEqual(one(buildTrainExamples([empty], tok, opts)).weights, [0, 1, 1]);
});

test('stories260K: plain text -> [BOS] text EOS with loss on every token after the first', async () => {
  const tok = await stories;
  const r = row({ kind: 'text', text: '[9] [10] [11]' });
  assert.deepEqual(one(buildTrainExamples([r], tok, opts)), { id: 'r', tokens: [9, 10, 11, 2], weights: [0, 1, 1, 1] });
  assert.deepEqual(one(buildTrainExamples([r], tok, { ...opts, addBos: true })), {
    id: 'r',
    tokens: [1, 9, 10, 11, 2],
    weights: [0, 1, 1, 1, 1],
  });
});

test('stories260K: chat through the plain fallback template, loss on the assistant turns only', async () => {
  const tok = await stories;
  const r = row({
    kind: 'chat',
    messages: [
      { role: 'user', content: '[5] [6]' },
      { role: 'assistant', content: '[7] [8]' },
      { role: 'user', content: '[9]' },
      { role: 'assistant', content: '[10]' },
    ],
  });
  // "user: [5] [6]\nassistant: [7] [8]\nuser: [9]\nassistant: [10]\n"; "user:"/"assistant:" are [0].
  assert.deepEqual(one(buildTrainExamples([r], tok, opts)), {
    id: 'r',
    tokens: [0, 5, 6, 0, 7, 8, 0, 9, 0, 10],
    weights: [0, 0, 0, 0, 1, 1, 0, 0, 0, 1],
  });
});

/**
 * Independent reference for ChatML masks: walk the token stream by its markup (<|im_start|> role
 * "\n" content <|im_end|> "\n") and mark each assistant turn's content and its <|im_end|>.
 */
function chatmlReference(tokens: number[], decode: (ids: number[]) => string, trained: boolean[]): number[] {
  const IM_START = 1;
  const IM_END = 2;
  const w = tokens.map(() => 0);
  let turn = 0;
  for (let t = 0; t < tokens.length; t++) {
    if (tokens[t] !== IM_START) continue;
    let h = t + 1;
    while (!decode(tokens.slice(t + 1, h)).endsWith('\n')) h++;
    const role = decode(tokens.slice(t + 1, h)).trim();
    const end = tokens.indexOf(IM_END, h);
    if (role === 'assistant' && trained[turn++]) for (let k = h; k <= end; k++) w[k] = 1;
  }
  return w;
}

test('embedded default (ChatML): assistant content and <|im_end|> are targets, nothing else', async () => {
  const tok = await chatml;
  const messages = [
    { role: 'system' as const, content: 'Be brief.' },
    { role: 'user' as const, content: 'What is a rash?' },
    { role: 'assistant' as const, content: 'A change in the skin.' },
    { role: 'user' as const, content: 'Thanks' },
    { role: 'assistant' as const, content: 'You are welcome.' },
  ];
  const e = one(buildTrainExamples([row({ kind: 'chat', messages })], tok, wide));
  // The tokens are exactly what the server renders for this conversation.
  assert.deepEqual(e.tokens, tok.applyChatTemplate(messages, { addGenerationPrompt: false }));
  const decode = (ids: number[]) => tok.decode(ids);
  assert.deepEqual(e.weights, chatmlReference(e.tokens, decode, [true, true]));
  const spans: string[] = [];
  e.weights.forEach((w, t) => {
    if (w === 1 && e.weights[t - 1] !== 1) spans.push('');
    if (w === 1) spans[spans.length - 1] += tok.decode([e.tokens[t]!]);
  });
  assert.deepEqual(spans, ['A change in the skin.<|im_end|>', 'You are welcome.<|im_end|>']);

  // weight 0 keeps a turn in the context without training on it; no system message -> the
  // template's default one, still untrained.
  const w0 = one(
    buildTrainExamples(
      [
        row({
          kind: 'chat',
          messages: [
            { role: 'user', content: 'What is a rash?' },
            { role: 'assistant', content: 'A change in the skin.', weight: 0 },
            { role: 'user', content: 'Thanks' },
            { role: 'assistant', content: 'You are welcome.' },
          ],
        }),
      ],
      tok,
      wide,
    ),
  );
  assert.deepEqual(w0.weights, chatmlReference(w0.tokens, decode, [false, true]));
  assert.equal(
    w0.weights.reduce((a, b) => a + b, 0),
    tok.encode('You are welcome.', { addSpecialTokens: false }).length + 1,
  );
});

test('a template that is not prefix-stable is refused, naming the row and the message', () => {
  // Renders the last message differently from the same message inside a longer conversation.
  const tok = {
    eosTokenId: 2,
    applyChatTemplate: (m: Array<{ role: string; content: string }>, o?: { addGenerationPrompt?: boolean }) => [
      ...m.flatMap((x, i) => [x.role === 'user' ? 3 : 4, x.content.length + 10, i === m.length - 1 ? 5 : 2]),
      ...(o?.addGenerationPrompt ? [4] : []),
    ],
    encode: () => [],
    bosTokenId: null,
  };
  const r: SourcedRow = {
    id: 'line:7',
    line: 7,
    row: {
      kind: 'chat',
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'a' },
        { role: 'user', content: 'q' },
      ],
    },
  };
  assert.throws(
    () => buildTrainExamples([r], tok, opts),
    (e) => e instanceof RequestError && /^line 7: messages\[1\]: the chat template does not render/.test(e.message),
  );
});

test('embedded default: completion and text rows (no BOS: its tokenizer adds none), EOS <|im_end|>', async () => {
  const tok = await chatml;
  assert.equal(tokenizerAddsBos(tok), false);
  const p = tok.encode('The skin rash', { addSpecialTokens: false });
  const c = tok.encode(' is red.', { addSpecialTokens: false });
  const e = one(
    buildTrainExamples([row({ kind: 'completion', prompt: 'The skin rash', completion: ' is red.' })], tok, opts),
  );
  assert.deepEqual(e.tokens, [...p, ...c, 2]);
  assert.deepEqual(e.weights, [...p.map(() => 0), ...c.map(() => 1), 1]);
  const t = one(buildTrainExamples([row({ kind: 'text', text: 'Bake the bread.' })], tok, opts));
  const ids = tok.encode('Bake the bread.', { addSpecialTokens: false });
  assert.deepEqual(t.tokens, [...ids, 2]);
  assert.deepEqual(t.weights, [0, ...ids.map(() => 1)]);
});

test('DataNet documents: metadata.messages, metadata.prompt/completion, else plain text', async () => {
  const tok = await stories;
  const doc = (metadata: Record<string, unknown>, text = '[40] [41]') => ({ docId: '0xabc', text, metadata });
  const rows = [
    documentRow(doc({ source: 'x' })),
    documentRow(doc({ prompt: '[5]', completion: ' [6]' })),
    documentRow(
      doc({
        messages: [
          { role: 'user', content: '[5]' },
          { role: 'assistant', content: '[6]' },
        ],
      }),
    ),
  ];
  assert.deepEqual(
    rows.map((r) => r.row.kind),
    ['text', 'completion', 'chat'],
  );
  assert.equal(rows[0]!.id, '0xabc');
  const ex = buildTrainExamples(rows, tok, opts).examples;
  assert.deepEqual(ex[0]!.tokens, [40, 41, 2]);
  assert.deepEqual(ex[1]!.weights, [0, 1, 1]);
  assert.deepEqual(ex[2], { id: '0xabc', tokens: [0, 5, 0, 6], weights: [0, 0, 0, 1] });
  assert.throws(
    () => documentRow(doc({ prompt: '[5]' })),
    (e) => e instanceof RequestError && /^document 0xabc: "completion" must be a string/.test(e.message),
  );
  assert.throws(
    () => documentRow(doc({ messages: [{ role: 'user', content: 'q' }] })),
    (e) => e instanceof RequestError && /^document 0xabc: .*no assistant message/.test(e.message),
  );
});

test('overflow: refuse names the JSONL line and its token count; truncate keeps the start and reports', async () => {
  const tok = await stories;
  const long = Array.from({ length: 20 }, (_, i) => `[${i + 10}]`).join(' ');
  const file = [
    JSON.stringify({ prompt: '[5]', completion: ' [6]' }),
    JSON.stringify({ prompt: long, completion: ' [7] [8]' }),
    JSON.stringify({ prompt: '[5] [6]', completion: ' [7] [8] [9] [10] [11] [12] [13] [14]' }),
  ].join('\n');
  const rows = parseTrainingJsonl(file);
  assert.throws(
    () => buildTrainExamples(rows, tok, { contextLength: 8, overflow: 'refuse' }),
    (e) =>
      e instanceof RequestError &&
      e.code === 'context_length_exceeded' &&
      /^line 2 has 23 tokens, more than the context length 8/.test(e.message) &&
      e.toOpenAI().error.type === 'invalid_request_error',
  );
  const { examples, truncated } = buildTrainExamples(rows, tok, { contextLength: 8, overflow: 'truncate' });
  assert.deepEqual(truncated, [
    { id: 'line:2', line: 2, tokens: 23, kept: 8, lossTokensKept: 0 },
    { id: 'line:3', line: 3, tokens: 11, kept: 8, lossTokensKept: 6 },
  ]);
  assert.deepEqual(
    examples.map((e) => e.id),
    ['line:1', 'line:3'],
    'a row truncated down to no loss target is dropped',
  );
  assert.deepEqual(examples[1], {
    id: 'line:3',
    tokens: [5, 6, 7, 8, 9, 10, 11, 12],
    weights: [0, 0, 1, 1, 1, 1, 1, 1],
  });
  assert.throws(
    () => buildTrainExamples(rows, tok, { contextLength: 8, overflow: 'drop' as never }),
    (e) => e instanceof RequestError && e.param === 'overflow',
  );
});
