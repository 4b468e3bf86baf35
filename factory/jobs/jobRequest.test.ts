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

test('training_data.versions: a published version per governed DataNet; unknown ids and bad numbers refused naming the field', () => {
  const job = (training_data: object) =>
    parseJobRequest({ model: 'base', training_data }, { baseModel: 'base', maxLoraRank: 8 });
  assert.deepEqual(job({ datanets: ['facts', 'open'], versions: { facts: 2 } }).datanetVersions, { facts: 2 });
  assert.equal(job({ datanets: ['facts'] }).datanetVersions, undefined);
  const refused = (training_data: object, param: string, re: RegExp) =>
    assert.throws(
      () => job(training_data),
      (e: unknown) => e instanceof RequestError && e.param === param && re.test(e.message),
    );
  refused(
    { datanets: ['facts'], versions: { other: 1 } },
    'training_data.versions.other',
    /not in training_data.datanets/,
  );
  refused({ datanets: ['facts'], versions: { facts: 0 } }, 'training_data.versions.facts', /published version number/);
  refused(
    { datanets: ['facts'], versions: { facts: '2' } },
    'training_data.versions.facts',
    /published version number/,
  );
});
