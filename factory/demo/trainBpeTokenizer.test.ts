import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusText } from './corpus/index.ts';
import { BYTE_TO_CHAR, trainBpeTokenizer, writeBpeTokenizer } from './trainBpeTokenizer.ts';
import { loadTokenizer } from '../../kernels/model/index.ts';

const root = mkdtempSync(join(tmpdir(), 'bpe-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

test('byte table is a bijection onto printable characters (GPT-2 bytes_to_unicode)', () => {
  assert.equal(new Set(BYTE_TO_CHAR).size, 256);
  assert.equal(BYTE_TO_CHAR[32], '\u0120'); // space -> Ġ
  assert.equal(BYTE_TO_CHAR[10], '\u010a'); // newline -> Ċ
  assert.equal(BYTE_TO_CHAR[65], 'A');
});

test('training on a toy corpus merges the most frequent pairs first, ties broken lexicographically', () => {
  const { tokenizerJson, vocabSize } = trainBpeTokenizer({
    corpus: 'ab ab ab cd',
    vocabSize: 1 + 256 + 2,
    specialTokens: ['<s>'],
  });
  const model = tokenizerJson.model as { vocab: Record<string, number>; merges: string[][] };
  assert.equal(vocabSize, 259);
  // words: "ab" x1, "Ġab" x2, "Ġcd" x1 -> pair (a,b) occurs 3 times, then (Ġ,ab) twice.
  assert.deepEqual(model.merges, [
    ['a', 'b'],
    ['\u0120', 'ab'],
  ]);
  assert.equal(model.vocab['<s>'], 0);
  assert.equal(model.vocab['ab'], 257);
  assert.equal(model.vocab['\u0120ab'], 258);
});

test('the embedded corpus gives a deterministic 2048-token tokenizer that round-trips through transformers.js', async () => {
  const a = join(root, 'a');
  const b = join(root, 'b');
  assert.equal(await writeBpeTokenizer(a, { corpus: corpusText(), vocabSize: 2048, modelMaxLength: 1024 }), 2048);
  await writeBpeTokenizer(b, { corpus: corpusText(), vocabSize: 2048, modelMaxLength: 1024 });
  for (const f of ['tokenizer.json', 'tokenizer_config.json'])
    assert.ok(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), `${f} differs between runs`);
  const tok = await loadTokenizer(a);
  assert.equal(tok.vocabSize, 2048);
  assert.equal(tok.bosTokenId, 1);
  assert.equal(tok.eosTokenId, 2);
  for (const s of [
    'What does this rash indicate?',
    'héllo wörld 🙂 日本語',
    'def f(x):\n    return x * 2\n',
    '  spaces   and\ttabs\n\n',
    corpusText(),
  ]) {
    assert.equal(tok.decode(tok.encode(s)), s);
  }
  const ids = tok.encode('The skin rash');
  assert.ok(ids.length <= 4, `common corpus words should be few tokens, got ${ids.length}`);
  assert.deepEqual(
    tok.encode('<|im_start|>user<|im_end|>').filter((i) => i < 3),
    [1, 2],
    'special tokens stay single ids',
  );
});
