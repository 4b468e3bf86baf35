// An uploaded fine-tuning file (OpenAI's format): JSONL, one row per line, every row of one kind:
//   {"messages": [{"role": "system" | "user" | "assistant", "content": "...", "weight"?: 0 | 1}, ...]}
//   {"prompt": "...", "completion": "..."}
// Blank lines are skipped (a trailing newline is normal); every error names the 1-based line.
import { RequestError } from '../../common/index.ts';
import { rowName, validateRow, type SourcedRow } from './trainingRows.ts';

export interface ParseJsonlOptions {
  /** The request field errors name (OpenAI `param`). Default `training_file`. */
  param?: string;
  /** Prefix of the row ids: `${source}:${line}`. Default `line`. */
  source?: string;
}

/** Parses and validates a JSONL training file; throws a RequestError (`invalid_request`) naming the bad line. */
export function parseTrainingJsonl(text: string, opts: ParseJsonlOptions = {}): SourcedRow[] {
  const param = opts.param ?? 'training_file';
  const source = opts.source ?? 'line';
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const rows: SourcedRow[] = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '') continue;
    const line = i + 1;
    const where = rowName({ id: '', line });
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (cause) {
      throw new RequestError('invalid_request', `${where}: not valid JSON (${(cause as Error).message})`, {
        param,
        details: { line },
        cause,
      });
    }
    const row = validateRow(value, { where, param, details: { line } });
    const first = rows[0];
    if (first && first.row.kind !== row.kind) {
      throw new RequestError(
        'invalid_request',
        `${where}: a ${describe(row.kind)} row, but ${rowName(first)} is a ${describe(first.row.kind)} row; a file holds one kind`,
        { param, details: { line } },
      );
    }
    rows.push({ id: `${source}:${line}`, line, row });
  }
  if (rows.length === 0) throw new RequestError('invalid_request', 'the training file is empty', { param });
  return rows;
}

function describe(kind: SourcedRow['row']['kind']): string {
  return kind === 'chat' ? '"messages"' : kind === 'completion' ? '"prompt"/"completion"' : 'text';
}
