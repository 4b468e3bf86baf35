import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoraledgerError, RequestError } from '../../common/index.ts';
import { parseTrainingJsonl } from './parseTrainingJsonl.ts';

const chat = (u: string, a: string) =>
  JSON.stringify({
    messages: [
      { role: 'user', content: u },
      { role: 'assistant', content: a },
    ],
  });

/** Asserts `fn` throws a RequestError with `code` whose message matches `re`; returns it. */
function refused(fn: () => unknown, re: RegExp, code = 'invalid_request'): RequestError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof RequestError, String(e));
    assert.equal(e.code, code);
    assert.match(e.message, re);
    return e;
  }
  assert.fail('expected a RequestError');
}

test('parses chat and prompt/completion files; ids and line numbers count physical lines', () => {
  const text = '\uFEFF' + chat('hi', 'hello') + '\r\n\r\n' + chat('a', 'b') + '\n';
  const rows = parseTrainingJsonl(text);
  assert.deepEqual(
    rows.map((r) => [r.id, r.line, r.row.kind]),
    [
      ['line:1', 1, 'chat'],
      ['line:3', 3, 'chat'],
    ],
  );
  assert.deepEqual(rows[1]!.row, {
    kind: 'chat',
    messages: [
      { role: 'user', content: 'a' },
      { role: 'assistant', content: 'b' },
    ],
  });
  const pc = parseTrainingJsonl('{"prompt":"2+2=","completion":" 4"}\n{"prompt":"","completion":"x"}', {
    source: 'file-abc',
  });
  assert.deepEqual(pc, [
    { id: 'file-abc:1', line: 1, row: { kind: 'completion', prompt: '2+2=', completion: ' 4' } },
    { id: 'file-abc:2', line: 2, row: { kind: 'completion', prompt: '', completion: 'x' } },
  ]);
  const weighted = parseTrainingJsonl(
    JSON.stringify({
      messages: [
        { role: 'system', content: 's' },
        { role: 'user', content: 'u' },
        { role: 'assistant', content: 'a', weight: 0 },
        { role: 'user', content: 'u2' },
        { role: 'assistant', content: 'a2', weight: 1 },
      ],
    }),
  );
  assert.deepEqual(weighted[0]!.row.kind === 'chat' && weighted[0]!.row.messages.map((m) => m.weight), [
    undefined,
    undefined,
    0,
    undefined,
    1,
  ]);
});

test('a bad line is named by its 1-based number, in OpenAI error shape', () => {
  const e = refused(
    () => parseTrainingJsonl(chat('a', 'b') + '\n\n{"messages": [}\n', { param: 'validation_file' }),
    /^line 3: not valid JSON/,
  );
  assert.deepEqual(e.details, { line: 3 });
  const body = e.toOpenAI();
  assert.equal(body.error.type, 'invalid_request_error');
  assert.equal(body.error.code, 'invalid_request');
  assert.equal(body.error.param, 'validation_file');
  assert.equal(e.status, 400);
});

test('refuses empty files, mixed kinds, non-string content, assistant-less chats and other bad rows', () => {
  refused(() => parseTrainingJsonl(''), /training file is empty/);
  refused(() => parseTrainingJsonl('\n  \n\r\n'), /training file is empty/);
  refused(
    () => parseTrainingJsonl(chat('a', 'b') + '\n{"prompt":"p","completion":"c"}'),
    /^line 2: a "prompt"\/"completion" row, but line 1 is a "messages" row; a file holds one kind/,
  );
  const msg = (messages: unknown) => JSON.stringify({ messages });
  const cases: Array<[string, RegExp]> = [
    [
      msg([
        { role: 'user', content: 'a' },
        { role: 'assistant', content: 5 },
      ]),
      /messages\[1\]\.content must be a string \(got number\)/,
    ],
    [
      msg([
        { role: 'user', content: 'a' },
        { role: 'assistant', content: null },
      ]),
      /content must be a string \(got null\)/,
    ],
    [msg([{ role: 'user', content: [{ type: 'text', text: 'a' }] }]), /messages\[0\]\.content must be a string/],
    [msg([{ role: 'user', content: 'only a question' }]), /no assistant message to train on/],
    [
      msg([
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'a', weight: 0 },
      ]),
      /every assistant message has weight 0/,
    ],
    [msg([{ role: 'assistant', content: 'a' }]), /messages\[0\] is an assistant message/],
    [msg([{ role: 'tool', content: 'x' }]), /messages\[0\]\.role must be one of system, user, assistant/],
    [
      msg([
        { role: 'user', content: 'q', weight: 1 },
        { role: 'assistant', content: 'a' },
      ]),
      /weight is only allowed on assistant/,
    ],
    [
      msg([
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'a', weight: 0.5 },
      ]),
      /weight must be 0 or 1/,
    ],
    [msg([]), /"messages" must be a non-empty list/],
    ['[1, 2]', /must be a JSON object/],
    ['{"text": "hello"}', /must have "messages" or "prompt" and "completion"/],
    ['{"prompt": "p"}', /"completion" must be a string/],
    ['{"prompt": 1, "completion": "c"}', /"prompt" must be a string/],
    ['{"prompt": "p", "completion": "c", "messages": []}', /not both/],
  ];
  for (const [line, re] of cases) {
    const e = refused(() => parseTrainingJsonl(`${chat('x', 'y')}\n${line}`), re);
    assert.match(e.message, /^line 2: /, line);
    assert.ok(e instanceof LoraledgerError);
  }
});
