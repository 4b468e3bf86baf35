// The xgrammar engine's masks over a byte-level BPE vocabulary whose tokens straddle grammar
// boundaries, checked against a brute-force reference on finite languages: token t is allowed after
// prefix p iff some string of the language starts with p + text(t); a stop id iff p is in the language.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModelSpec } from '../../model/index.ts';
import { quickEmbeddedDefault } from '../../../test/support/embeddedQuick.ts';
import { loadTokenizerVocab } from './tokenizerVocab.ts';
import { Prng } from '../../../common/index.ts';
import { allowed } from '../sampler.ts';
import { ConstraintEngine } from './constraintEngine.ts';
import type { ConstraintSpec } from './constraintSpec.ts';

/** GPT-2's byte-level encoding of printable ASCII: a space is 'Ġ'. */
const byteLevel = (text: string): string => text.replaceAll(' ', 'Ġ');
const EOS = 0;
const TEXTS = [
  ...'{}[]":, abcdefghijklmnopqrstuvwxyz0123456789-',
  ...['{"', '":', ' "', '", "', 'red', 're', 'd"', 'green', 'gr', 'een"', '}', ' 1', '12', '3}', 'ab', 'ba', 'x"}'],
  ...['[1', ', 2', ', ', '2]', '|', 'yes', 'no', '<a>', '</a>', '<a>yes</a>', 'ye'],
];
const VOCAB = ['', ...TEXTS.map(byteLevel)]; // id 0: EOS (special: '')
const textOf = (id: number): string => TEXTS[id - 1]!;

/** Walks random allowed paths; at every step the mask must equal the reference's. */
async function checkAgainst(spec: ConstraintSpec, language: string[], walks: number): Promise<Set<string>> {
  const engine = await ConstraintEngine.create({ encoded: VOCAB, vocabType: 'byte_level' }, [EOS]);
  const rng = new Prng(7);
  const reached = new Set<string>();
  for (let w = 0; w < walks; w++) {
    const row = await engine.open(spec, [EOS]);
    let prefix = '';
    for (let step = 0; step < 64; step++) {
      const mask = await row.mask();
      const ok: number[] = [];
      for (let id = 0; id < VOCAB.length; id++) {
        const want = id === EOS ? language.includes(prefix) : language.some((s) => s.startsWith(prefix + textOf(id)));
        assert.equal(
          allowed(mask, id),
          want,
          `after ${JSON.stringify(prefix)}: token ${JSON.stringify(id ? textOf(id) : 'EOS')}`,
        );
        if (want) ok.push(id);
      }
      const pick = ok[Math.floor(rng.next() * ok.length)]!;
      assert.ok(row.accept(pick));
      if (pick === EOS) break;
      prefix += textOf(pick);
    }
    assert.ok(language.includes(prefix), `walk ended inside the language: ${prefix}`);
    reached.add(prefix);
    row.dispose();
  }
  return reached;
}

test('json_schema (enum, integer range, required, fixed separators): masks equal the brute-force reference', async () => {
  const schema = {
    type: 'object',
    properties: { c: { enum: ['red', 'green'] }, n: { type: 'integer', minimum: 1, maximum: 3 } },
    required: ['c', 'n'],
    additionalProperties: false,
  };
  const language = ['red', 'green'].flatMap((c) => [1, 2, 3].map((n) => `{"c": "${c}", "n": ${n}}`));
  const reached = await checkAgainst({ type: 'json_schema', schema }, language, 30);
  assert.ok(reached.size >= 4, 'the walks reach several members');
});

test('integer bounds are exact: a number is accepted, and may end, iff it lies in [minimum, maximum]', async () => {
  // xgrammar's own conversion of [0, 120] let 121-129 through (./integerRange.ts)
  const engine = await ConstraintEngine.create({ encoded: VOCAB, vocabType: 'byte_level' }, [EOS]);
  const idOf = (ch: string) => TEXTS.indexOf(ch) + 1;
  for (const [minimum, maximum] of [
    [0, 120],
    [-5, 37],
    [18, undefined],
  ] as const) {
    const schema = { type: ['integer', 'null'], minimum, ...(maximum === undefined ? {} : { maximum }) };
    for (let n = -30; n <= 140; n++) {
      const row = await engine.open({ type: 'json_schema', schema }, [EOS]);
      const fed = [...String(n)].every((ch) => row.accept(idOf(ch)));
      const complete = fed && allowed(await row.mask(), EOS);
      row.dispose();
      assert.equal(complete, n >= minimum && (maximum === undefined || n <= maximum), `[${minimum}, ${maximum}]: ${n}`);
    }
    const row = await engine.open({ type: 'json_schema', schema }, [EOS]);
    assert.ok(
      [...'null'].every((ch) => row.accept(idOf(ch))) && allowed(await row.mask(), EOS),
      'null, the other type',
    );
    row.dispose();
  }
});

test('choice, literal, sequence, one_of and bounded / unbounded repeat: masks equal the reference', async () => {
  const item: ConstraintSpec = { type: 'choice', choices: ['yes', 'no'] };
  const tagged: ConstraintSpec = {
    type: 'sequence',
    parts: [{ type: 'literal', text: '<a>' }, item, { type: 'literal', text: '</a>' }],
  };
  const words = (k: number, sep: string, f: (s: string) => string): string[] =>
    k === 0
      ? ['']
      : words(k - 1, sep, f).flatMap((p) =>
          ['yes', 'no'].map((x) => (p === '' && k === 1 ? f(x) : `${p}${sep}${f(x)}`)),
        );
  const upTo = (lo: number, hi: number, sep: string, f = (s: string) => s): string[] =>
    Array.from({ length: hi - lo + 1 }, (_, i) => words(lo + i, sep, f)).flat();
  // 1..3 tags separated by '|'
  await checkAgainst(
    { type: 'repeat', item: tagged, separator: '|', min: 1, max: 3 },
    upTo(1, 3, '|', (x) => `<a>${x}</a>`),
    25,
  );
  // 0..2 with no separator, after a literal prefix
  await checkAgainst(
    {
      type: 'sequence',
      parts: [
        { type: 'literal', text: 'ab' },
        { type: 'repeat', item, min: 0, max: 2 },
      ],
    },
    upTo(0, 2, '').map((s) => `ab${s}`),
    25,
  );
  // one_of: a literal or two..three items separated by ', ' (unbounded repeat capped by the walk's own stop)
  const unbounded: ConstraintSpec = { type: 'repeat', item, separator: ', ', min: 2 };
  const engine = await ConstraintEngine.create({ encoded: VOCAB, vocabType: 'byte_level' }, [EOS]);
  const row = await engine.open({ type: 'one_of', options: [{ type: 'literal', text: 'x"}' }, unbounded] }, [EOS]);
  for (const t of ['yes', ', ', 'no', ', ', 'ye', 's']) assert.ok(row.accept(TEXTS.indexOf(t) + 1), t);
  assert.ok(allowed(await row.mask(), EOS), 'three items: complete');
  assert.ok(allowed(await row.mask(), TEXTS.indexOf(', ') + 1), 'and may go on');
  const row2 = await engine.open(unbounded, [EOS]);
  row2.accept(TEXTS.indexOf('no') + 1);
  assert.ok(!allowed(await row2.mask(), EOS), 'one item is below min');
});

test('regex: masks equal the reference; an uncompilable constraint is a 400 request error', async () => {
  await checkAgainst({ type: 'regex', pattern: '[ab]{1,2}-[0-9]' }, upToRegex(), 25);
  // A regex glued to grammar parts (a structural tag: sequence / or around a regex leaf).
  const glued: ConstraintSpec = {
    type: 'sequence',
    parts: [
      {
        type: 'one_of',
        options: [
          { type: 'literal', text: '<a>' },
          { type: 'regex', pattern: 'x[0-9]' },
        ],
      },
      { type: 'choice', choices: ['yes', 'no'] },
    ],
  };
  const heads = ['<a>', ...[...'0123456789'].map((d) => `x${d}`)];
  await checkAgainst(
    glued,
    heads.flatMap((h) => [`${h}yes`, `${h}no`]),
    25,
  );
  const engine = await ConstraintEngine.create({ encoded: VOCAB, vocabType: 'byte_level' }, [EOS]);
  await assert.rejects(engine.open({ type: 'regex', pattern: '(' }, [EOS]), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'invalid_request');
    assert.match(
      e.message,
      /could not be compiled to a grammar: Regex parsing error at position \d+: The parenthesis is not closed/,
    );
    return true;
  });
  function upToRegex(): string[] {
    const heads = ['a', 'b', 'aa', 'ab', 'ba', 'bb'];
    return heads.flatMap((h) => [...'0123456789'].map((d) => `${h}-${d}`));
  }
});

/** GPT-2's byte-level alphabet, inverted: the character a token string uses -> the byte it stands for. */
function byteLevelDecoder(): Map<string, number> {
  const bs: number[] = [];
  for (const [lo, hi] of [
    [33, 126],
    [161, 172],
    [174, 255],
  ] as const)
    for (let b = lo; b <= hi; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++)
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  return new Map(bs.map((b, i) => [String.fromCodePoint(cs[i]!), b]));
}

const tmp = mkdtempSync(join(tmpdir(), 'constrain-vocab-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test("the embedded default's real byte-level BPE vocabulary: masks equal the byte-level reference", async () => {
  const { modelDir } = await quickEmbeddedDefault(tmp);
  const spec = await loadModelSpec(modelDir);
  const vocab = await loadTokenizerVocab(modelDir, spec.vocabSize);
  assert.equal(vocab.vocabType, 'byte_level');
  const toByte = byteLevelDecoder();
  const bytesOf = vocab.encoded.map((t) => Buffer.from(Array.from(t, (c) => toByte.get(c)!)));
  const schema = {
    type: 'object',
    properties: { c: { enum: ['red', 'green'] }, n: { type: 'integer', minimum: 1, maximum: 12 } },
    required: ['c', 'n'],
    additionalProperties: false,
  };
  const language = ['red', 'green'].flatMap((c) =>
    Array.from({ length: 12 }, (_, i) => Buffer.from(`{"c": "${c}", "n": ${i + 1}}`)),
  );
  const eos = spec.eosTokenIds;
  const engine = await ConstraintEngine.create(vocab, eos);
  const rng = new Prng(11);
  let multiByteTokens = 0;
  for (let w = 0; w < 12; w++) {
    const row = await engine.open({ type: 'json_schema', schema }, eos);
    let prefix = Buffer.alloc(0);
    for (let step = 0; step < 40; step++) {
      const mask = await row.mask();
      const ok: number[] = [];
      for (let id = 0; id < spec.vocabSize; id++) {
        const next = Buffer.concat([prefix, bytesOf[id]!]);
        const want = eos.includes(id)
          ? language.some((s) => s.equals(prefix))
          : vocab.encoded[id] !== '' && language.some((s) => s.subarray(0, next.length).equals(next));
        assert.equal(allowed(mask, id), want, `after ${prefix}: token ${id} ${JSON.stringify(vocab.encoded[id])}`);
        if (want) ok.push(id);
      }
      const pick = ok[Math.floor(rng.next() * ok.length)]!;
      assert.ok(row.accept(pick));
      if (eos.includes(pick)) break;
      if (bytesOf[pick]!.length > 1) multiByteTokens++;
      prefix = Buffer.concat([prefix, bytesOf[pick]!]);
    }
    assert.ok(
      language.some((s) => s.equals(prefix)),
      `ended inside the language: ${prefix}`,
    );
    row.dispose();
  }
  assert.ok(multiByteTokens > 0, 'the walks used merged tokens that straddle grammar boundaries');
});
