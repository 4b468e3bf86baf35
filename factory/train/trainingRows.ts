// The rows a fine-tuning job trains on, before tokenization, and their validation. Two sources
// produce them: an uploaded JSONL file (./parseTrainingJsonl.ts, OpenAI's fine-tuning format) and
// DataNet documents (./documentRows.ts). Both check rows here, so a row is refused for the same
// reasons, in the same words, wherever it comes from.
//
//   chat        {"messages": [{role, content, weight?}, ...]}   loss on the assistant turns
//   completion  {"prompt", "completion"}                         loss on the completion (+ EOS)
//   text        plain language-model text (DataNet documents)    loss on every token after the first
import { RequestError } from '../../common/index.ts';

export type TrainRole = 'system' | 'user' | 'assistant';

export interface TrainMessage {
  role: TrainRole;
  content: string;
  /** Assistant turns only (OpenAI's per-message `weight`): 0 = in the context, not trained on. Default 1. */
  weight?: 0 | 1;
}

export type TrainingRow =
  | { kind: 'chat'; messages: TrainMessage[] }
  | { kind: 'completion'; prompt: string; completion: string }
  | { kind: 'text'; text: string };

/** A row and where it came from, so errors and reports can name it. */
export interface SourcedRow {
  /** Stable id carried into the examples and batches (`line:3`, a DataNet doc id, ...). */
  id: string;
  /** 1-based line of the JSONL file it came from, when it came from one. */
  line?: number;
  row: TrainingRow;
}

const ROLES: readonly string[] = ['system', 'user', 'assistant'];

/** How errors name a row: its line number when it has one, else its id. */
export function rowName(r: { id: string; line?: number }): string {
  return r.line !== undefined ? `line ${r.line}` : `row ${r.id}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Where a row sits, for its errors. */
export interface RowPlace {
  /** Names the row in messages: "line 3", "document 0xab..". */
  where: string;
  /** The request field at fault (OpenAI `param`). */
  param: string;
  details?: Record<string, unknown>;
}

/** A thrower for problems with the row at `at` (RequestError `invalid_request`). */
export function rowError(at: RowPlace): (problem: string) => never {
  return (problem) => {
    throw new RequestError('invalid_request', `${at.where}: ${problem}`, { param: at.param, details: at.details });
  };
}

/** Checks a parsed JSON value as one row: `{"messages"}` or `{"prompt","completion"}`. */
export function validateRow(value: unknown, at: RowPlace): TrainingRow {
  const bad = rowError(at);
  if (!isRecord(value)) return bad('a row must be a JSON object with "messages" or "prompt" and "completion"');
  const chat = 'messages' in value;
  const completion = 'prompt' in value || 'completion' in value;
  if (chat && completion) return bad('a row has either "messages" or "prompt"/"completion", not both');
  if (chat) return { kind: 'chat', messages: validateMessages(value.messages, bad) };
  if (!completion) return bad('a row must have "messages" or "prompt" and "completion"');
  if (typeof value.prompt !== 'string') return bad('"prompt" must be a string');
  if (typeof value.completion !== 'string') return bad('"completion" must be a string');
  return { kind: 'completion', prompt: value.prompt, completion: value.completion };
}

/** Checks a chat's messages; `bad` throws with the row named. */
export function validateMessages(value: unknown, bad: (problem: string) => never): TrainMessage[] {
  if (!Array.isArray(value) || value.length === 0) return bad('"messages" must be a non-empty list');
  const out: TrainMessage[] = value.map((m: unknown, i) => {
    if (!isRecord(m)) return bad(`messages[${i}] must be an object with "role" and "content"`);
    if (typeof m.role !== 'string' || !ROLES.includes(m.role))
      return bad(`messages[${i}].role must be one of ${ROLES.join(', ')} (got ${JSON.stringify(m.role)})`);
    if (typeof m.content !== 'string')
      return bad(`messages[${i}].content must be a string (got ${m.content === null ? 'null' : typeof m.content})`);
    const msg: TrainMessage = { role: m.role as TrainRole, content: m.content };
    if (m.weight !== undefined) {
      if (m.role !== 'assistant') return bad(`messages[${i}].weight is only allowed on assistant messages`);
      if (m.weight !== 0 && m.weight !== 1) return bad(`messages[${i}].weight must be 0 or 1`);
      msg.weight = m.weight;
    }
    return msg;
  });
  if (out[0]!.role === 'assistant')
    return bad('messages[0] is an assistant message; a conversation opens with a system or user message');
  if (!out.some((m) => m.role === 'assistant')) return bad('the conversation has no assistant message to train on');
  if (!out.some((m) => m.role === 'assistant' && m.weight !== 0))
    return bad('every assistant message has weight 0: nothing to train on');
  return out;
}
