// The job request's precision extra: the frozen base's weights, fp32 by default, int8 or int4 for
// QLoRA; anything else is an OpenAI-shaped invalid_request naming the field and the value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestError } from '../../common/index.ts';
import { parseJobRequest } from './jobRequest.ts';

const parse = (hyperparameters: object) =>
  parseJobRequest({ model: 'base', training_file: 'file-1', hyperparameters }, { baseModel: 'base', maxLoraRank: 8 })
    .hyperparameters.precision;

test('precision: fp32 by default, int8 and int4 accepted, fp16 refused naming the value', () => {
  assert.equal(parse({}), 'fp32');
  assert.equal(parse({ precision: 'int8' }), 'int8');
  assert.equal(parse({ precision: 'int4' }), 'int4');
  assert.throws(
    () => parse({ precision: 'fp16' }),
    (e: unknown) =>
      e instanceof RequestError &&
      e.code === 'invalid_request' &&
      e.param === 'hyperparameters.precision' &&
      /precision must be "fp32", "int8" or "int4" .*got "fp16"/.test(e.message),
  );
});
