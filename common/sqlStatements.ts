// better-sqlite3 statements prepared once per SQL text and reused: preparing on every call (a
// record append, a document lookup per retrieved passage, a reputation read per request) took
// about 1 s of the event loop in a 2-minute soak (docs/reliability.md#soak).
import type Database from 'better-sqlite3';

/** `sql(text)`: the statement for `text` on `db`, prepared on first use. */
export function preparedStatements(db: Database.Database): (text: string) => Database.Statement {
  const cache = new Map<string, Database.Statement>();
  return (text) => {
    let st = cache.get(text);
    if (!st) {
      st = db.prepare(text);
      cache.set(text, st);
    }
    return st;
  };
}
