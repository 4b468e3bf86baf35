import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INTEGER_DIGITS, integerRangeEbnf } from './integerRange.ts';

/** The EBNF expression as a JavaScript regex (it uses only literals, classes, {n}, groups and |). */
const toRegex = (ebnf: string) =>
  new RegExp(`^${ebnf.replace(/"([^"]*)"/g, (_, s: string) => s.replace(/-/g, '\\-')).replace(/ /g, '')}$`);

test('every integer in a window matches exactly when it lies in [min, max] (brute force)', () => {
  const ranges: Array<[number, number]> = [
    [0, 120], // xgrammar's own conversion let 121-129 through
    [0, 0],
    [1, 9],
    [0, 99],
    [1, 12],
    [5, 250],
    [7, 7],
    [10, 10],
    [99, 101],
    [123, 4567],
    [-120, 0],
    [-5, 37],
    [-1000, -10],
    [-9, -1],
    [0, 1000],
    [300, 1999],
  ];
  for (const [lo, hi] of ranges) {
    const re = toRegex(integerRangeEbnf(lo, hi));
    for (let n = Math.min(lo, 0) - 1100; n <= Math.max(hi, 0) + 1100; n++)
      assert.equal(re.test(String(n)), n >= lo && n <= hi, `[${lo}, ${hi}] and ${n}: ${re}`);
    for (const bad of ['007', '-0', '01', '', '-', '1.0', '+1'])
      assert.equal(re.test(bad), lo === 0 && bad === '0', `[${lo}, ${hi}] must refuse ${JSON.stringify(bad)}`);
  }
});

test('one bound missing: the other side stops at the grammar limit of 15 digits', () => {
  const atLeast = toRegex(integerRangeEbnf(18, undefined));
  for (const [s, ok] of [
    ['17', false],
    ['18', true],
    ['99', true],
    ['100', true],
    ['9'.repeat(INTEGER_DIGITS), true],
    ['1' + '0'.repeat(INTEGER_DIGITS), false],
    ['-1', false],
  ] as const)
    assert.equal(atLeast.test(s), ok, s);
  const atMost = toRegex(integerRangeEbnf(undefined, -3));
  for (const [s, ok] of [
    ['-3', true],
    ['-2', false],
    ['0', false],
    ['-' + '9'.repeat(INTEGER_DIGITS), true],
    ['-1' + '0'.repeat(INTEGER_DIGITS), false],
  ] as const)
    assert.equal(atMost.test(s), ok, s);
});

test('an empty range is an error', () => {
  assert.throws(() => integerRangeEbnf(5, 4), /empty integer range/);
});
