// Shape and money checks for an AttributionRecord (pure: no viem, no I/O).
//
// A record that passes can be EIP-712 encoded without surprises: every bytes32 is 32 bytes of
// hex, every address 20 bytes, every uint fits its width, and the fee split does not pay out more
// than the fee:  sum(sources[i].amount) + sum(trainingSources[i].amount) + adapterAmount <= fee.
// Version 2 fields (trainingSources, spans) are checked when present; a version 1 record has neither.

import { AttributionError } from '../../common/index.ts';
import type { AttributionRecord } from './recordTypes.ts';

const BYTES32 = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const UINT = /^(0|[1-9][0-9]*)$/;
const UINT256_MAX = (1n << 256n) - 1n;
const UINT32_MAX = 0xffff_ffff;
/** A finite JS number as Number#toString writes it (e.g. '-0.25', '1.5e-7', '12'). */
const DECIMAL = /^-?[0-9]+(\.[0-9]+)?(e[+-][0-9]+)?$/;

function fail(field: string, problem: string): never {
  throw new AttributionError('record_invalid', `attribution record field ${field} ${problem}`, { param: field });
}

function bytes32(field: string, v: unknown): void {
  if (typeof v !== 'string' || !BYTES32.test(v)) fail(field, 'must be 0x followed by 64 hex characters (bytes32)');
}

function address(field: string, v: unknown): void {
  if (typeof v !== 'string' || !ADDRESS.test(v)) fail(field, 'must be 0x followed by 40 hex characters (address)');
}

function str(field: string, v: unknown): void {
  if (typeof v !== 'string') fail(field, 'must be a string');
}

function uint(field: string, v: unknown, max: number): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max)
    fail(field, `must be an integer in [0, ${max}]`);
}

/** Parses a uint256 decimal string; throws record_invalid naming the field. */
export function parseUint256(field: string, v: unknown): bigint {
  if (typeof v !== 'string' || !UINT.test(v))
    fail(field, 'must be a decimal string without sign or leading zeros (uint256)');
  const n = BigInt(v);
  if (n > UINT256_MAX) fail(field, 'exceeds uint256');
  return n;
}

/** Throws AttributionError('record_invalid') naming the first bad field; returns the record. */
export function validateRecord(r: AttributionRecord): AttributionRecord {
  if (typeof r !== 'object' || r === null) fail('record', 'must be an object');
  bytes32('recordId', r.recordId);
  str('requestId', r.requestId);
  str('model', r.model);
  str('adapter', r.adapter);
  bytes32('promptHash', r.promptHash);
  bytes32('outputHash', r.outputHash);
  if (!Array.isArray(r.sources)) fail('sources', 'must be an array');
  let paid = 0n;
  r.sources.forEach((s, i) => (paid += paidEntry(`sources[${i}]`, s)));
  address('adapterOwner', r.adapterOwner);
  uint('adapterSharePpm', r.adapterSharePpm, UINT32_MAX);
  const adapterAmount = parseUint256('adapterAmount', r.adapterAmount);
  if (adapterAmount > 0n && BigInt(r.adapterOwner) === 0n)
    fail('adapterOwner', 'is the zero address but adapterAmount is non-zero');
  paid += adapterAmount;
  const fee = parseUint256('fee', r.fee);
  uint('timestamp', r.timestamp, Number.MAX_SAFE_INTEGER);
  str('method', r.method);
  if (r.trainingSources !== undefined || r.spans !== undefined || r.validators !== undefined)
    paid += validateVersion2(r);
  if (r.validators !== undefined) paid += validateValidators(r);
  if (paid > fee) fail('fee', `is ${fee} but the sources and adapter are paid ${paid} in total`);
  return r;
}

/** The fields a source and a training source share (docId, datanet, contributor, share, amount); returns the amount. */
function paidEntry(
  at: string,
  e: { docId: unknown; datanet: unknown; contributor: unknown; sharePpm: unknown; amount: unknown },
): bigint {
  if (typeof e !== 'object' || e === null) fail(at, 'must be an object');
  bytes32(`${at}.docId`, e.docId);
  str(`${at}.datanet`, e.datanet);
  address(`${at}.contributor`, e.contributor);
  uint(`${at}.sharePpm`, e.sharePpm, UINT32_MAX);
  const amount = parseUint256(`${at}.amount`, e.amount);
  if (amount > 0n && BigInt(e.contributor as string) === 0n)
    fail(`${at}.contributor`, 'is the zero address but is paid a non-zero amount');
  return amount;
}

/** validators (version 3); returns what they are paid. */
function validateValidators(r: AttributionRecord): bigint {
  if (!Array.isArray(r.validators)) fail('validators', 'must be an array');
  let paid = 0n;
  r.validators.forEach((v, i) => {
    const at = `validators[${i}]`;
    if (typeof v !== 'object' || v === null) fail(at, 'must be an object');
    str(`${at}.datanet`, v.datanet);
    address(`${at}.validator`, v.validator);
    const amount = parseUint256(`${at}.amount`, v.amount);
    if (amount > 0n && BigInt(v.validator) === 0n)
      fail(`${at}.validator`, 'is the zero address but is paid a non-zero amount');
    paid += amount;
  });
  return paid;
}

/** trainingSources and spans (version 2); returns what the training sources are paid. */
function validateVersion2(r: AttributionRecord): bigint {
  if (!Array.isArray(r.trainingSources))
    fail('trainingSources', 'must be an array (version 2 records have both trainingSources and spans)');
  if (!Array.isArray(r.spans))
    fail('spans', 'must be an array (version 2 records have both trainingSources and spans)');
  let paid = 0n;
  r.trainingSources.forEach((t, i) => {
    const at = `trainingSources[${i}]`;
    paid += paidEntry(at, t);
    str(`${at}.exampleId`, t.exampleId);
    if (typeof t.influence !== 'string' || !DECIMAL.test(t.influence) || !Number.isFinite(Number(t.influence)))
      fail(`${at}.influence`, 'must be a finite decimal number as a string');
    uint(`${at}.reputationPpm`, t.reputationPpm, UINT32_MAX);
    uint(`${at}.spanTokens`, t.spanTokens, UINT32_MAX);
  });
  r.spans.forEach((s, i) => {
    const at = `spans[${i}]`;
    if (typeof s !== 'object' || s === null) fail(at, 'must be an object');
    bytes32(`${at}.docId`, s.docId);
    uint(`${at}.answerStart`, s.answerStart, UINT32_MAX);
    uint(`${at}.docStart`, s.docStart, UINT32_MAX);
    uint(`${at}.length`, s.length, UINT32_MAX);
  });
  return paid;
}
