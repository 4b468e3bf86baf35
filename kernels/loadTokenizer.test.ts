import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LoraledgerError } from '../server/errors.ts';
import { EMBEDDED_CORPUS } from './embeddedCorpus.ts';
import { loadTokenizer } from './loadTokenizer.ts';
import { writeBpeTokenizer } from './trainBpeTokenizer.ts';

const STORIES = new URL('../../shared/models/stories260K', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'tok-'));
test.after(() => rmSync(root, { recursive: true, force: true }));
const bpeDir = join(root, 'bpe');
const ready = writeBpeTokenizer(bpeDir, { corpus: EMBEDDED_CORPUS, vocabSize: 2048, modelMaxLength: 1024 });

function code(e: unknown, c: string, re: RegExp): boolean {
  assert.ok(e instanceof LoraledgerError, String(e));
  assert.equal(e.code, c);
  assert.match(e.message, re);
  return true;
}

test('stories260K stand-in tokenizer: [i] tokens, specials, no chat template -> documented fallback', async () => {
  const tok = await loadTokenizer(STORIES);
  assert.equal(tok.vocabSize, 512);
  assert.equal(tok.bosTokenId, 1);
  assert.equal(tok.eosTokenId, 2);
  assert.equal(tok.hasChatTemplate, false);
  assert.deepEqual(tok.encode('[1] [5] [461] [2]'), [1, 5, 461, 2]);
  assert.equal(tok.decode([1, 5, 461, 2]), '[1] [5] [461] [2]');
  assert.equal(tok.decode([1, 5, 461, 2], { skipSpecialTokens: true }), '[5] [461]');
  assert.equal(tok.decode([]), '');
  assert.equal(tok.renderChat([{ role: 'system', content: 'be brief' }, { role: 'user', content: '[5]' }]), 'system: be brief\nuser: [5]\nassistant:');
  assert.equal(tok.renderChat([{ role: 'user', content: '[5]' }], { addGenerationPrompt: false }), 'user: [5]\n');
  const sd = tok.createStreamDecoder();
  assert.deepEqual([5, 6, 461].map((i) => sd.push(i)), ['[5]', ' [6]', ' [461]']);
  assert.equal(sd.flush(), '');
});

test('generated BPE tokenizer: ChatML template renders and tokenizes with single special ids', async () => {
  await ready;
  const tok = await loadTokenizer(bpeDir);
  assert.equal(tok.hasChatTemplate, true);
  const text = tok.renderChat([{ role: 'user', content: [{ type: 'text', text: 'Hi ' }, { type: 'text', text: 'there' }] }]);
  assert.equal(text, '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n');
  const ids = tok.applyChatTemplate([{ role: 'user', content: 'Hi there' }]);
  assert.equal(ids[0], 1);
  assert.equal(ids.filter((i) => i === 1).length, 3);
  assert.equal(ids.filter((i) => i === 2).length, 2);
  assert.equal(tok.decode(ids), text);
  assert.equal(tok.tokenToId('<|im_end|>'), 2);
});

test('stream decoder emits only complete UTF-8 text and reassembles exactly', async () => {
  await ready;
  const tok = await loadTokenizer(bpeDir);
  const s = 'ok 🙂 日本語 — café\n';
  const ids = tok.encode(s);
  const sd = tok.createStreamDecoder();
  const parts = ids.map((i) => sd.push(i));
  parts.push(sd.flush());
  assert.equal(parts.join(''), s);
  for (const p of parts) assert.ok(!p.includes('\uFFFD'), `partial character leaked: ${JSON.stringify(parts)}`);
  // A stream cut in the middle of a character holds it back, then flush shows the replacement.
  const emoji = tok.encode('🙂');
  assert.ok(emoji.length > 1, 'the emoji is several byte tokens in this small vocab');
  const cut = tok.createStreamDecoder();
  assert.equal(cut.push(emoji[0]!), '');
  assert.match(cut.flush(), /\uFFFD/);
  const skip = tok.createStreamDecoder({ skipSpecialTokens: true });
  assert.equal([...tok.encode('Hi<|im_end|>')].map((i) => skip.push(i)).join('') + skip.flush(), 'Hi');
});

test('bad inputs: missing tokenizer.json, malformed JSON, bad messages', async () => {
  await ready;
  await assert.rejects(loadTokenizer(join(root, 'nothing')), (e) => code(e, 'model_folder_invalid', /has no tokenizer\.json/));
  const bad = join(root, 'bad');
  mkdirSync(bad);
  writeFileSync(join(bad, 'tokenizer.json'), '{oops');
  await assert.rejects(loadTokenizer(bad), (e) => code(e, 'model_folder_invalid', /tokenizer\.json is not valid JSON/));
  const tok = await loadTokenizer(bpeDir);
  assert.throws(() => tok.renderChat([]), (e) => code(e, 'invalid_request', /messages must be a non-empty list/));
  assert.throws(() => tok.renderChat([{ role: '', content: 'x' }]), (e) => code(e, 'invalid_request', /messages\[0\]\.role/));
  assert.throws(() => tok.renderChat([{ role: 'user', content: [{ type: 'image_url' }] }]), (e) => code(e, 'invalid_request', /only text parts are supported/));
});
