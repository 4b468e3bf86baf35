import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mapError } from './errorHandler.ts';
import { AdapterError, ERROR_CATALOGUE, LoraledgerError, RequestError } from '../../common/index.ts';

test('catalogue errors keep their status, type, code and param', () => {
  for (const code of Object.keys(ERROR_CATALOGUE) as Array<keyof typeof ERROR_CATALOGUE>) {
    const m = mapError(new LoraledgerError(code, `msg ${code}`, { param: 'p' }));
    assert.equal(m.status, ERROR_CATALOGUE[code].status);
    assert.deepEqual(m.body, { error: { message: `msg ${code}`, type: ERROR_CATALOGUE[code].type, param: 'p', code } });
  }
  assert.equal(mapError(new RequestError('overloaded', 'full')).headers['retry-after'], '1');
  assert.equal(mapError(new AdapterError('adapter_invalid', 'bad')).status, 400);
});

test('Fastify validation errors name the field; unions say so', () => {
  const m = mapError({
    validation: [{ instancePath: '/messages/0/role', message: 'must be equal to constant', params: {} }],
    validationContext: 'body',
  });
  assert.equal(m.status, 400);
  assert.equal(m.body.error.param, 'messages[0].role');
  assert.equal(m.body.error.code, 'invalid_request');
  const missing = mapError({
    validation: [
      { instancePath: '', message: "must have required property 'model'", params: { missingProperty: 'model' } },
    ],
  });
  assert.equal(missing.body.error.param, 'model');
  assert.equal(missing.body.error.message, 'model is required');
});

test('body parser errors: malformed JSON 400, too large 413, other 4xx stay 4xx, unknown errors 500 internal_error', () => {
  assert.equal(
    mapError(
      Object.assign(new SyntaxError('Unexpected end'), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' }),
    ).body.error.code,
    'malformed_json',
  );
  const big = mapError({ code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413, message: 'too large' });
  assert.deepEqual([big.status, big.body.error.code], [413, 'payload_too_large']);
  const media = mapError({ code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415, message: 'x' });
  assert.equal(media.status, 400);
  const bug = mapError(new TypeError('x is undefined'));
  assert.deepEqual([bug.status, bug.body.error.code, bug.expected], [500, 'internal_error', false]);
  assert.ok(!bug.body.error.message.includes('undefined'), 'internal details stay in the log');
});
