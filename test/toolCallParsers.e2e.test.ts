// --tool-call-parser llama3_json and mistral on the real engine: the embedded default (quick) is
// served with each family's parser, tool_choice "required" makes constrained decoding write that
// family's syntax, and the same parser reads it back into message.tool_calls and delta.tool_calls.
// (The hermes family, auto-detected from the embedded template, is covered by toolCalling.e2e.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import { startEmbeddedServer, type EmbeddedServer } from './support/embeddedServer.ts';

const servers = new Map<string, EmbeddedServer>();

before(async () => {
  for (const parser of ['llama3_json', 'mistral'])
    servers.set(parser, await startEmbeddedServer(`parser-${parser}`, ['--tool-call-parser', parser]));
});
after(async () => {
  for (const s of servers.values()) await s.close();
});

const SCHEMA = {
  type: 'object',
  properties: {
    dish: { type: 'string', enum: ['bread', 'soup'] },
    minutes: { type: 'integer', minimum: 1, maximum: 60 },
  },
  required: ['dish', 'minutes'],
  additionalProperties: false,
};
const validate = new Ajv({ strict: false }).compile(SCHEMA);
const BODY = {
  model: 'cooking',
  messages: [{ role: 'user', content: 'Time the soup.' }],
  tools: [{ type: 'function', function: { name: 'set_timer', parameters: SCHEMA } }],
  tool_choice: 'required',
  parallel_tool_calls: false,
  temperature: 1,
  max_tokens: 200,
  return_token_ids: true,
};

for (const parser of ['llama3_json', 'mistral'] as const) {
  test(`${parser}: the enforced call is written in the family's syntax and parsed, whole and streamed`, async () => {
    const { app } = servers.get(parser)!;
    const r = await app.inject({ method: 'POST', url: '/v1/chat/completions', payload: { ...BODY, seed: 3 } });
    assert.equal(r.statusCode, 200, r.body);
    const choice = r.json().choices[0];
    const raw = app.loraledger.tokenizer.decode(choice.token_ids);
    if (parser === 'mistral') assert.match(raw, /^\[TOOL_CALLS\]\[\{"name": "set_timer", "arguments": /);
    else assert.match(raw, /^\{"name": "set_timer", "parameters": /);
    assert.equal(choice.finish_reason, 'tool_calls', raw);
    assert.equal(choice.message.content, null);
    assert.equal(choice.message.tool_calls.length, 1);
    assert.equal(choice.message.tool_calls[0].function.name, 'set_timer');
    assert.ok(validate(JSON.parse(choice.message.tool_calls[0].function.arguments)), raw);

    const s = await app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      payload: { ...BODY, seed: 3, stream: true },
    });
    const chunks = s.body
      .split('\n\n')
      .filter((f) => f.startsWith('data: {'))
      .map((f) => JSON.parse(f.slice(6)));
    let args = '';
    let name = '';
    let finish = '';
    for (const c of chunks) {
      const ch = c.choices[0];
      if (!ch) continue;
      assert.ok(!ch.delta.content, `no content leaks: ${JSON.stringify(ch.delta)}`);
      for (const d of ch.delta.tool_calls ?? []) {
        name += d.function?.name ?? '';
        args += d.function?.arguments ?? '';
      }
      finish = ch.finish_reason ?? finish;
    }
    assert.equal(name, 'set_timer');
    assert.equal(finish, 'tool_calls');
    assert.equal(args, choice.message.tool_calls[0].function.arguments, 'same seed: the stream carries the same call');
  });
}
