import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ERROR_CATALOGUE, LoraledgerError, RequestError, deserializeError, serializeError } from './errors.ts';

test('every catalogue code is unique, documented, and maps to an HTTP error status', () => {
  const codes = Object.keys(ERROR_CATALOGUE);
  assert.equal(new Set(codes).size, codes.length);
  for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
    assert.match(code, /^[a-z][a-z0-9_]*$/, `${code} is snake_case`);
    assert.ok(entry.doc.length > 10, `${code} has a doc line`);
    assert.ok(entry.status >= 400 && entry.status < 600, `${code} has an error status`);
  }
});

test('errors render in OpenAI shape and survive the worker boundary', () => {
  const e = new RequestError('invalid_request', 'temperature must be a number between 0 and 2', {
    param: 'temperature',
  });
  assert.equal(e.status, 400);
  assert.deepEqual(e.toOpenAI(), {
    error: {
      message: 'temperature must be a number between 0 and 2',
      type: 'invalid_request_error',
      param: 'temperature',
      code: 'invalid_request',
    },
  });
  const back = deserializeError(serializeError(e));
  assert.ok(back instanceof LoraledgerError);
  assert.equal(back.code, 'invalid_request');
  assert.equal(back.param, 'temperature');
  assert.equal(serializeError(new Error('boom')).code, 'engine_failed');
});
