import { test } from 'node:test';
import assert from 'node:assert/strict';
import { augmentPrompt, augmentText, ragQuery, PLAIN_RAG_TEMPLATE } from './augmentPrompt.ts';
import type { PromptParts } from '../../kernels/model/index.ts';
import { LoraledgerError } from '../../common/index.ts';

const passages = [{ text: 'Paris is the capital of France.' }, { text: 'The Seine flows through Paris.' }];

test('completion: numbered passages, then the question', () => {
  const out = augmentPrompt({ kind: 'completion', prompt: 'What is the capital of France?' }, passages);
  assert.deepEqual(out, {
    kind: 'completion',
    prompt:
      'Use the numbered context passages to answer.\n\nContext:\n(1) Paris is the capital of France.\n(2) The Seine flows through Paris.\n\nQuestion: What is the capital of France?',
  });
  assert.equal(augmentText([], 'plain'), 'plain');
});

test('chat: only the last user message gets the context block; the input is not mutated', () => {
  const parts: PromptParts = {
    kind: 'chat',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello' },
      { role: 'user', content: 'Capital of France?' },
    ],
  };
  assert.equal(ragQuery(parts), 'Capital of France?');
  const out = augmentPrompt(parts, passages.slice(1));
  assert.ok(out.kind === 'chat');
  assert.deepEqual(out.messages.slice(0, 3), parts.messages.slice(0, 3));
  assert.equal(
    out.messages[3]!.content,
    'Use the numbered context passages to answer.\n\nContext:\n(1) The Seine flows through Paris.\n\nQuestion: Capital of France?',
  );
  assert.equal(parts.messages[3]!.content, 'Capital of France?');
  assert.deepEqual(augmentPrompt(parts, []), parts);
  // a request's tools travel with the augmented prompt (attribution re-renders what was served)
  const tools = [{ type: 'function' as const, function: { name: 'f' } }];
  const withTools = augmentPrompt({ ...parts, tools }, passages);
  assert.ok(withTools.kind === 'chat');
  assert.deepEqual(withTools.tools, tools);
});

test('plain template for token-id models joins passages and question with spaces', () => {
  assert.equal(augmentText([{ text: '[5] [6]' }, { text: '[7]' }], '[8]', PLAIN_RAG_TEMPLATE), '[5] [6] [7] [8]');
});

test('chat without a user message is a 400 naming messages', () => {
  assert.throws(
    () => ragQuery({ kind: 'chat', messages: [{ role: 'system', content: 'x' }] }),
    (e: unknown) => e instanceof LoraledgerError && e.code === 'invalid_request' && e.param === 'messages',
  );
});
