// JSON as a reader wants it in the README (bench:demo's transcripts).
//   a value that fits in 100 columns (counting what already stands on its line) stays on one line;
//   a list of flat records (objects of scalars: sources, training sources, roll-ups) puts one
//   record per line, however wide, so a list reads as a table;
//   anything else opens up, two spaces per level.

const isFlatRecord = (x: unknown): boolean =>
  x !== null &&
  typeof x === 'object' &&
  !Array.isArray(x) &&
  Object.values(x).every((y) => y === null || typeof y !== 'object');

export function compactJson(v: unknown, indent = '', lead = indent.length): string {
  const flat = JSON.stringify(v);
  if (v === null || typeof v !== 'object' || lead + flat.length <= 100) return flat;
  const next = `${indent}  `;
  const items = Array.isArray(v)
    ? v.map((x) => next + (isFlatRecord(x) ? JSON.stringify(x) : compactJson(x, next)))
    : Object.entries(v).map(([k, x]) => {
        const key = `${next}${JSON.stringify(k)}: `;
        return key + compactJson(x, next, key.length);
      });
  const [open, close] = Array.isArray(v) ? ['[', ']'] : ['{', '}'];
  return `${open}\n${items.join(',\n')}\n${indent}${close}`;
}
