// Text utilities shared by retrieval (attribution/data) and routing (adapters/router): the
// tokenisers BM25 indexes with, and cosine similarity.
//
//   tokenize(text) = maximal runs of Unicode letters/digits, lower-cased ("[461]" -> "461")
//   terms(text)    = tokenize(text) minus stop words, each lightly stemmed (for routing, where
//                    "rashes" must match "rash" and "dermatologist" must match "dermatology")
//   cosine(a, b)   = a·b / (|a| |b|), 0 when either vector is all zeros

/** Turns a text into the terms an index counts. */
export type Analyzer = (text: string) => string[];

export const tokenize: Analyzer = (text) => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];

const STOP = new Set(
  'a about after again all also an and answer answers any are as ask at be been before but by can could do does did explain for from get give had has have help how i if in into is it its just know like me more most much my need no not of on one only or other our out over please question questions should show so some tell than that the their them then there these this those to up very want was we were what when where which who why will with would yes you your'.split(
    ' ',
  ),
);
const SUFFIXES = [
  'ational',
  'ation',
  'ness',
  'ment',
  'ists',
  'ist',
  'ing',
  'ies',
  'ied',
  'ers',
  'er',
  'ed',
  'es',
  'ly',
  'y',
  's',
];

/**
 * Light stemmer: strip the first listed suffix that leaves 3+ letters (not the s of "ss"), then a
 * final e (recipe/recipes -> recip, bake/baked/baking -> bak, cooking -> cook).
 */
export function stem(word: string): string {
  let w = word;
  for (const s of SUFFIXES) {
    if (w.endsWith(s) && w.length - s.length >= 3 && !(s === 's' && w.endsWith('ss'))) {
      w = w.slice(0, -s.length);
      break;
    }
  }
  return w.length > 3 && w.endsWith('e') ? w.slice(0, -1) : w;
}

/** tokenize, minus stop words, stemmed. Per word, so terms(a + ' ' + b) = [...terms(a), ...terms(b)]. */
export const terms: Analyzer = (text) =>
  tokenize(text)
    .filter((w) => !STOP.has(w))
    .map(stem);

export function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new RangeError(`cosine: lengths ${a.length} and ${b.length} differ`);
  let dot = 0,
    na = 0,
    nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
