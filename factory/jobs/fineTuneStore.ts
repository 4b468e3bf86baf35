// The fine-tuning state that must survive a restart (better-sqlite3, WAL, synchronous=FULL):
// uploaded files, jobs, their events and their checkpoints. File contents live beside the
// database (<dir>/files/<id>.jsonl); everything else is rows.
//
//   files       (id, filename, purpose, bytes, rows, created_at)
//   jobs        (id, created_at, status, spec JSON, result JSON)    spec = what was asked, result = what happened
//   events      (seq, job_id, created_at, level, type, message, data JSON)
//   checkpoints (id, job_id, step, created_at, dir, metrics JSON)
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export type JobStatus = 'validating_files' | 'queued' | 'running' | 'paused' | 'succeeded' | 'failed' | 'cancelled';

export interface FileRow {
  id: string;
  filename: string;
  purpose: string;
  bytes: number;
  rows: number;
  createdAt: number;
}

export interface JobRow<S = unknown, R = unknown> {
  id: string;
  createdAt: number;
  status: JobStatus;
  spec: S;
  result: R;
}

export interface EventRow {
  id: string;
  jobId: string;
  createdAt: number;
  level: 'info' | 'warn' | 'error';
  type: 'message' | 'metrics';
  message: string;
  data: Record<string, unknown> | null;
}

export interface CheckpointRow {
  id: string;
  jobId: string;
  step: number;
  createdAt: number;
  dir: string;
  metrics: Record<string, number | null>;
}

const now = () => Math.floor(Date.now() / 1000);
export const newId = (prefix: string) => `${prefix}-${randomBytes(12).toString('hex')}`;

export class FineTuneStore {
  private readonly db: Database.Database;
  readonly filesDir: string;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.filesDir = join(dir, 'files');
    mkdirSync(this.filesDir, { recursive: true });
    this.db = new Database(join(dir, 'finetune.sqlite'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS files (id TEXT PRIMARY KEY, filename TEXT NOT NULL, purpose TEXT NOT NULL,
        bytes INTEGER NOT NULL, rows INTEGER NOT NULL, created_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS jobs (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, status TEXT NOT NULL,
        spec TEXT NOT NULL, result TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
        job_id TEXT NOT NULL, created_at INTEGER NOT NULL, level TEXT NOT NULL, type TEXT NOT NULL,
        message TEXT NOT NULL, data TEXT);
      CREATE INDEX IF NOT EXISTS events_job ON events (job_id, seq);
      CREATE TABLE IF NOT EXISTS checkpoints (id TEXT PRIMARY KEY, job_id TEXT NOT NULL, step INTEGER NOT NULL,
        created_at INTEGER NOT NULL, dir TEXT NOT NULL, metrics TEXT NOT NULL);
    `);
  }

  // --- files ---

  /** Stores the content first, then the row: a row always has its content. */
  async addFile(f: { filename: string; purpose: string; content: Buffer; rows: number }): Promise<FileRow> {
    const row: FileRow = {
      id: newId('file'),
      filename: f.filename,
      purpose: f.purpose,
      bytes: f.content.byteLength,
      rows: f.rows,
      createdAt: now(),
    };
    await writeFile(this.filePath(row.id), f.content);
    this.db
      .prepare('INSERT INTO files VALUES (?, ?, ?, ?, ?, ?)')
      .run(row.id, row.filename, row.purpose, row.bytes, row.rows, row.createdAt);
    return row;
  }

  file(id: string): FileRow | undefined {
    const r = this.db.prepare('SELECT * FROM files WHERE id = ?').get(id) as Record<string, unknown> | undefined;
    return r && fileOf(r);
  }

  files(): FileRow[] {
    return (this.db.prepare('SELECT * FROM files ORDER BY created_at DESC, id').all() as Record<string, unknown>[]).map(
      fileOf,
    );
  }

  fileContent(id: string): Promise<string> {
    return readFile(this.filePath(id), 'utf8');
  }

  async deleteFile(id: string): Promise<boolean> {
    const gone = this.db.prepare('DELETE FROM files WHERE id = ?').run(id).changes > 0;
    if (gone) await rm(this.filePath(id), { force: true });
    return gone;
  }

  private filePath(id: string): string {
    return join(this.filesDir, `${id}.jsonl`);
  }

  // --- jobs ---

  addJob<S, R>(spec: S, result: R): JobRow<S, R> {
    const row: JobRow<S, R> = { id: newId('ftjob'), createdAt: now(), status: 'validating_files', spec, result };
    this.db
      .prepare('INSERT INTO jobs VALUES (?, ?, ?, ?, ?)')
      .run(row.id, row.createdAt, row.status, JSON.stringify(spec), JSON.stringify(result));
    return row;
  }

  updateJob(id: string, status: JobStatus, result: unknown): void {
    this.db.prepare('UPDATE jobs SET status = ?, result = ? WHERE id = ?').run(status, JSON.stringify(result), id);
  }

  job<S, R>(id: string): JobRow<S, R> | undefined {
    const r = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as Record<string, unknown> | undefined;
    return r && (jobOf(r) as JobRow<S, R>);
  }

  /** Newest first; `after` is a job id (the page starts after it). */
  jobs<S, R>(o: { after?: string; limit: number }): { data: JobRow<S, R>[]; hasMore: boolean } {
    const rows = this.db.prepare('SELECT * FROM jobs ORDER BY created_at DESC, id DESC').all() as Record<
      string,
      unknown
    >[];
    const all = rows.map((r) => jobOf(r) as JobRow<S, R>);
    const start = o.after ? all.findIndex((j) => j.id === o.after) + 1 : 0;
    const data = all.slice(start, start + o.limit);
    return { data, hasMore: start + o.limit < all.length };
  }

  jobsWithStatus<S, R>(statuses: JobStatus[]): JobRow<S, R>[] {
    const rows = this.db
      .prepare(`SELECT * FROM jobs WHERE status IN (${statuses.map(() => '?').join(',')}) ORDER BY created_at, id`)
      .all(...statuses) as Record<string, unknown>[];
    return rows.map((r) => jobOf(r) as JobRow<S, R>);
  }

  // --- events and checkpoints ---

  addEvent(e: Omit<EventRow, 'id' | 'createdAt'>): EventRow {
    const row: EventRow = { ...e, id: newId('ftevent'), createdAt: now() };
    this.db
      .prepare('INSERT INTO events (id, job_id, created_at, level, type, message, data) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(
        row.id,
        row.jobId,
        row.createdAt,
        row.level,
        row.type,
        row.message,
        row.data ? JSON.stringify(row.data) : null,
      );
    return row;
  }

  /** Newest first, as OpenAI lists them; `after` is an event id. */
  events(jobId: string, o: { after?: string; limit: number }): { data: EventRow[]; hasMore: boolean } {
    const afterSeq = o.after
      ? ((this.db.prepare('SELECT seq FROM events WHERE id = ?').get(o.after) as { seq: number } | undefined)?.seq ??
        Infinity)
      : Infinity;
    const rows = this.db
      .prepare('SELECT * FROM events WHERE job_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?')
      .all(jobId, afterSeq, o.limit + 1) as Record<string, unknown>[];
    return { data: rows.slice(0, o.limit).map(eventOf), hasMore: rows.length > o.limit };
  }

  addCheckpoint(c: Omit<CheckpointRow, 'id' | 'createdAt'>): CheckpointRow {
    const row: CheckpointRow = { ...c, id: newId('ftckpt'), createdAt: now() };
    this.db
      .prepare('INSERT INTO checkpoints VALUES (?, ?, ?, ?, ?, ?)')
      .run(row.id, row.jobId, row.step, row.createdAt, row.dir, JSON.stringify(row.metrics));
    return row;
  }

  /** Newest (highest step) first. */
  checkpoints(jobId: string): CheckpointRow[] {
    const rows = this.db.prepare('SELECT * FROM checkpoints WHERE job_id = ? ORDER BY step DESC').all(jobId) as Record<
      string,
      unknown
    >[];
    return rows.map((r) => ({
      id: r.id as string,
      jobId: r.job_id as string,
      step: r.step as number,
      createdAt: r.created_at as number,
      dir: r.dir as string,
      metrics: JSON.parse(r.metrics as string) as Record<string, number | null>,
    }));
  }

  checkpoint(id: string): CheckpointRow | undefined {
    const r = this.db.prepare('SELECT job_id FROM checkpoints WHERE id = ?').get(id) as { job_id: string } | undefined;
    return r && this.checkpoints(r.job_id).find((c) => c.id === id);
  }

  close(): void {
    this.db.close();
  }
}

function fileOf(r: Record<string, unknown>): FileRow {
  return {
    id: r.id as string,
    filename: r.filename as string,
    purpose: r.purpose as string,
    bytes: r.bytes as number,
    rows: r.rows as number,
    createdAt: r.created_at as number,
  };
}

function jobOf(r: Record<string, unknown>): JobRow {
  return {
    id: r.id as string,
    createdAt: r.created_at as number,
    status: r.status as JobStatus,
    spec: JSON.parse(r.spec as string),
    result: JSON.parse(r.result as string),
  };
}

function eventOf(r: Record<string, unknown>): EventRow {
  return {
    id: r.id as string,
    jobId: r.job_id as string,
    createdAt: r.created_at as number,
    level: r.level as EventRow['level'],
    type: r.type as EventRow['type'],
    message: r.message as string,
    data: r.data ? (JSON.parse(r.data as string) as Record<string, unknown>) : null,
  };
}
