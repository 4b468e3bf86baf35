// preparedStatements prepares a SQL text once per database and reuses the statement; other texts
// and other databases get their own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { preparedStatements } from './sqlStatements.ts';

test('one statement per SQL text, per database; it runs as prepared', () => {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (x INTEGER)');
  const sql = preparedStatements(db);
  const insert = sql('INSERT INTO t (x) VALUES (?)');
  assert.equal(sql('INSERT INTO t (x) VALUES (?)'), insert);
  insert.run(2);
  sql('INSERT INTO t (x) VALUES (?)').run(3);
  assert.deepEqual(sql('SELECT SUM(x) AS s FROM t').get(), { s: 5 });
  assert.notEqual(sql('SELECT SUM(x) AS s FROM t'), insert);
  const other = new Database(':memory:');
  other.exec('CREATE TABLE t (x INTEGER)');
  assert.notEqual(preparedStatements(other)('INSERT INTO t (x) VALUES (?)'), insert);
  db.close();
  other.close();
});
