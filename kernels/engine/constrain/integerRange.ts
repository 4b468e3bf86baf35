// Integer bounds of a JSON schema as EBNF, exactly.
//
// xgrammar's converter (the bundled build) writes some ranges wrong: [0, 120] came out as
// "0" | [1-9] | [1-9] [0-9] | "1" [0-2] [0-9], which allows 121-129, and a strict schema with
// `maximum: 120` was answered with 126 (test/structuredOutput.e2e.test.ts). So jsonGrammar.ts
// hands xgrammar a marker constant for every bounded integer and puts this expression in its place.
//
// The expression: one alternative per digit count, each split digit by digit (the usual range to
// regex construction), with no leading zeros and "-" before the negative part. A missing bound is
// the grammar's own limit: 15 digits, as basic_integer allows.

/** The largest magnitude the grammar writes (basic_integer's 15 digits). */
export const INTEGER_DIGITS = 15;
const LIMIT = 10 ** INTEGER_DIGITS - 1;

/** EBNF for the integers in [min, max] (either bound may be missing); throws on an empty range. */
export function integerRangeEbnf(min: number | undefined, max: number | undefined): string {
  const lo = min ?? -LIMIT;
  const hi = max ?? LIMIT;
  if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi))
    throw new RangeError('integer bounds must be safe integers');
  if (lo > hi) throw new RangeError(`empty integer range [${lo}, ${hi}]`);
  const alternatives: string[] = [];
  if (lo < 0) {
    const negative = nonNegative(Math.max(1, -hi), -lo);
    alternatives.push(`"-" (${negative.join(' | ')})`);
  }
  if (hi >= 0) alternatives.push(...nonNegative(Math.max(0, lo), hi));
  return `(${alternatives.join(' | ')})`;
}

/** Alternatives for [a, b], 0 <= a <= b. */
function nonNegative(a: number, b: number): string[] {
  const out: string[] = [];
  for (let digits = String(a).length; digits <= String(b).length; digits++) {
    const from = Math.max(a, digits === 1 ? 0 : 10 ** (digits - 1));
    const to = Math.min(b, 10 ** digits - 1);
    if (from <= to) out.push(...sameLength(String(from), String(to)));
  }
  return out;
}

/** Alternatives for the numbers from `a` to `b`, two digit strings of one length, a <= b. */
function sameLength(a: string, b: string): string[] {
  if (a === b) return [`"${a}"`];
  const n = a.length - 1;
  const rest = (x: string) => (x === '' ? '' : ` ${x}`);
  const anyDigits = n === 0 ? '' : n === 1 ? '[0-9]' : `[0-9]{${n}}`;
  const digit = (x: number, y: number) => (x === y ? `"${x}"` : `[${x}-${y}]`);
  const a0 = Number(a[0]);
  const b0 = Number(b[0]);
  if (a0 === b0) return sameLength(a.slice(1), b.slice(1)).map((s) => `"${a0}" ${s}`);
  const aRest = a.slice(1);
  const bRest = b.slice(1);
  const aLow = /^0*$/.test(aRest); // a is the first number with its leading digit
  const bHigh = /^9*$/.test(bRest); // b is the last
  const out: string[] = [];
  const first = aLow ? a0 : a0 + 1;
  const last = bHigh ? b0 : b0 - 1;
  if (!aLow) out.push(...sameLength(aRest, '9'.repeat(n)).map((s) => `"${a0}" ${s}`));
  if (first <= last) out.push(`${digit(first, last)}${rest(anyDigits)}`);
  if (!bHigh) out.push(...sameLength('0'.repeat(n), bRest).map((s) => `"${b0}" ${s}`));
  return out;
}
