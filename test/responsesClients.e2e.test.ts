// The Responses API as real clients use it, unchanged, over a real socket against the embedded
// default (quick profile) on the real engine: the official `openai` client's responses.create /
// responses.stream / previous_response_id, and the Vercel AI SDK's default OpenAI provider (which
// speaks the Responses API). Greedy answers are checked against the same conversation sent to
// chat.completions, the pipeline the Responses API is translated into.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { keccak256, stringToBytes } from 'viem';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, streamText } from 'ai';
import { startEmbeddedServer, type EmbeddedServer } from './support/embeddedServer.ts';

let server: EmbeddedServer;
let base: string;
let client: OpenAI;

before(async () => {
  server = await startEmbeddedServer('responses', ['--responses-store-size', '4']);
  base = server.base;
  client = new OpenAI({ baseURL: base, apiKey: 'unused', maxRetries: 0 });
});
after(() => server?.close());

const GREEDY = { temperature: 0, max_output_tokens: 12 } as const;

/** The same conversation through chat.completions: the reference the Responses answer must equal. */
async function viaChat(messages: OpenAI.ChatCompletionMessageParam[], max = 12) {
  const c = await client.chat.completions.create({ model: 'cooking', messages, temperature: 0, max_tokens: max });
  return { text: c.choices[0]!.message.content ?? '', promptTokens: c.usage!.prompt_tokens };
}

test('official client responses.create: string input, items input and instructions', async () => {
  const r = await client.responses.create({ model: 'cooking', input: 'How long do I bake bread?', ...GREEDY });
  const ref = await viaChat([{ role: 'user', content: 'How long do I bake bread?' }]);
  assert.equal(r.object, 'response');
  assert.match(r.id, /^resp_/);
  assert.equal(r.model, 'cooking');
  assert.ok(r.output_text.length > 0);
  assert.equal(r.output_text, ref.text);
  assert.equal(r.usage!.input_tokens, ref.promptTokens);
  assert.equal(r.usage!.total_tokens, r.usage!.input_tokens + r.usage!.output_tokens);
  assert.ok(['completed', 'incomplete'].includes(r.status!));
  if (r.status === 'incomplete') assert.deepEqual(r.incomplete_details, { reason: 'max_output_tokens' });

  const items = await client.responses.create({
    model: 'cooking',
    instructions: 'You answer cooking questions.',
    input: [
      { role: 'user', content: [{ type: 'input_text', text: 'Knead the dough?' }] },
      { role: 'assistant', content: 'Yes, ten minutes.' },
      { type: 'message', role: 'user', content: 'And then?' },
    ],
    ...GREEDY,
  });
  const itemsRef = await viaChat([
    { role: 'system', content: 'You answer cooking questions.' },
    { role: 'user', content: 'Knead the dough?' },
    { role: 'assistant', content: 'Yes, ten minutes.' },
    { role: 'user', content: 'And then?' },
  ]);
  assert.equal(items.instructions, 'You answer cooking questions.');
  assert.equal(items.output_text, itemsRef.text);
  assert.equal(items.usage!.input_tokens, itemsRef.promptTokens);
});

test('official client responses.stream: typed events arrive in order and the client assembles the final response', async () => {
  const input = 'How long do I bake sourdough bread?'; // "auto" routes it to cooking
  const stream = client.responses.stream({ model: 'auto', input, ...GREEDY });
  const types: string[] = [];
  let deltas = '';
  stream.on('response.output_text.delta', (e) => {
    deltas += e.delta;
  });
  for await (const e of stream) types.push(e.type);
  const final = await stream.finalResponse();
  assert.deepEqual(types.slice(0, 4), [
    'response.created',
    'response.in_progress',
    'response.output_item.added',
    'response.content_part.added',
  ]);
  assert.ok(types.includes('response.output_text.delta'));
  assert.ok(['response.completed', 'response.incomplete'].includes(types.at(-1)!));
  assert.equal(final.output_text, deltas);
  const plain = await client.responses.create({ model: final.model, input, ...GREEDY });
  assert.equal(plain.output_text, final.output_text, 'streamed and non-stream greedy answers agree');
  const served = (final as unknown as { loraledger: { adapter: string; routed?: { reason: string } } }).loraledger;
  assert.deepEqual([final.model, served.adapter], ['cooking', 'cooking']);
  assert.match(served.routed!.reason, /^routed to cooking/);
});

test('previous_response_id chains the conversation; store: false keeps nothing; GET and DELETE stored ones', async () => {
  const first = await client.responses.create({ model: 'cooking', input: 'Name a bread.', ...GREEDY });
  const second = await client.responses.create({
    model: 'cooking',
    input: 'How do I bake it?',
    previous_response_id: first.id,
    ...GREEDY,
  });
  const ref = await viaChat([
    { role: 'user', content: 'Name a bread.' },
    { role: 'assistant', content: first.output_text },
    { role: 'user', content: 'How do I bake it?' },
  ]);
  assert.equal(second.previous_response_id, first.id);
  assert.equal(second.usage!.input_tokens, ref.promptTokens, 'the first turn was sent again');
  assert.equal(second.output_text, ref.text);

  const listed = [];
  for await (const item of client.responses.inputItems.list(second.id)) listed.push(item);
  assert.deepEqual(
    listed.map((i) => [i.type, (i as { role?: string }).role, (i as { content?: unknown }).content]),
    [['message', 'user', [{ type: 'input_text', text: 'How do I bake it?' }]]],
    "input_items lists this request's input",
  );
  const got = await client.responses.retrieve(second.id);
  assert.equal(got.id, second.id);
  assert.equal(got.output_text, second.output_text);
  const unstored = await client.responses.create({ model: 'cooking', input: 'Salt?', store: false, ...GREEDY });
  assert.equal((unstored as unknown as { store: boolean }).store, false);
  await assert.rejects(
    client.responses.create({ model: 'cooking', input: 'More?', previous_response_id: unstored.id }),
    (e: unknown) =>
      e instanceof OpenAI.NotFoundError && (e.error as { param: string }).param === 'previous_response_id',
  );
  await client.responses.delete(first.id);
  await assert.rejects(client.responses.retrieve(first.id), OpenAI.NotFoundError);
});

test('refused: built-in tools by name, images, an unknown model', async () => {
  await assert.rejects(
    client.responses.create({ model: 'cooking', input: 'news?', tools: [{ type: 'web_search_preview' }] }),
    (e: unknown) =>
      e instanceof OpenAI.BadRequestError &&
      (e.error as { param: string }).param === 'tools[0].type' &&
      /web_search_preview/.test(e.message),
  );
  await assert.rejects(
    client.responses.create({
      model: 'cooking',
      input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'https://x/y.png', detail: 'auto' }] }],
    }),
    (e: unknown) =>
      e instanceof OpenAI.BadRequestError && (e.error as { param: string }).param === 'input[0].content[0].type',
  );
  await assert.rejects(client.responses.create({ model: 'nope', input: 'x' }), OpenAI.NotFoundError);
  await assert.rejects(
    client.responses.create({ model: 'cooking', input: 'x', max_output_tokens: 1_000_000 }),
    (e: unknown) =>
      e instanceof OpenAI.BadRequestError &&
      (e.error as { param: string; code: string }).param === 'max_output_tokens' &&
      /Reduce max_output_tokens/.test(e.message),
  );
});

test('attribution as on chat: inline, the response carries the signed record of the chat completion that ran it', async () => {
  const { data, response } = await client.responses
    .create({
      model: 'cooking',
      input: 'How long do I bake sourdough bread?',
      max_output_tokens: 4,
      attribution: 'inline',
    } as OpenAI.Responses.ResponseCreateParamsNonStreaming)
    .withResponse();
  const r = data as unknown as {
    loraledger: { completion_id: string };
    attribution: { record_id: string; status: string; adapter: { id: string } | null };
  };
  assert.match(r.loraledger.completion_id, /^chatcmpl-/);
  // The record id binds the replica that served it (--replica-id, echoed in x-loraledger-replica).
  const replica = response.headers.get('x-loraledger-replica');
  assert.equal(r.attribution.record_id, keccak256(stringToBytes(`${replica}/${r.loraledger.completion_id}`)));
  assert.equal(r.attribution.status, 'signed');
  assert.equal(r.attribution.adapter?.id, 'cooking');
});

test('Vercel AI SDK default provider (Responses API): generateText and streamText', async () => {
  const openai = createOpenAI({ baseURL: base, apiKey: 'unused' });
  const prompt = 'How long do I proof dough?';
  const ref = await viaChat([{ role: 'user', content: prompt }], 10);
  const g = await generateText({ model: openai('cooking'), prompt, temperature: 0, maxOutputTokens: 10 });
  assert.equal(g.text, ref.text);
  assert.equal(g.response.modelId, 'cooking');
  assert.match(g.response.id, /^resp_/);
  assert.equal(g.usage.inputTokens, ref.promptTokens);
  assert.ok(['stop', 'length'].includes(g.finishReason));
  const s = streamText({ model: openai('cooking'), prompt, temperature: 0, maxOutputTokens: 10 });
  let streamed = '';
  for await (const piece of s.textStream) streamed += piece;
  assert.equal(streamed, ref.text);
  assert.equal((await s.usage).outputTokens, g.usage.outputTokens);
});
