// OpenAI Responses wire shapes, made in one place: the Response object (as `POST /v1/responses`
// returns it and as stream events carry it), its output items and usage. responsesStream.ts
// fills them from the chat pipeline's chunks.
import { randomBytes } from 'node:crypto';
import type { ServedBy, Usage } from './chunkShapes.ts';
import type { ResponsesBody } from './responsesSchema.ts';

/** `resp_…`, `msg_…`, `fc_…`: OpenAI's id prefixes with 24 random bytes of hex. */
export const newId = (prefix: 'resp' | 'msg' | 'fc' | 'fco') => `${prefix}_${randomBytes(24).toString('hex')}`;

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

/** One token's logprob, as output_text parts and text delta events carry it. */
export interface OutputLogprob {
  token: string;
  logprob: number;
  bytes: number[];
  top_logprobs: Array<{ token: string; logprob: number; bytes: number[] }>;
}

export interface OutputText {
  type: 'output_text';
  text: string;
  annotations: [];
  logprobs: OutputLogprob[];
}

export interface MessageItem {
  id: string;
  type: 'message';
  status: 'in_progress' | 'completed' | 'incomplete';
  role: 'assistant';
  content: OutputText[];
}

export interface FunctionCallItem {
  id: string;
  type: 'function_call';
  status: 'in_progress' | 'completed' | 'incomplete';
  call_id: string;
  name: string;
  arguments: string;
}

export type OutputItem = MessageItem | FunctionCallItem;

/** What one request fixes for every Response object it sends (created, in progress, final). */
export interface ResponseHead {
  id: string;
  created_at: number;
  model: string;
  body: ResponsesBody;
  servedBy: ServedBy;
  /** The chat completion that ran it (its attribution record id is keccak256 of this id). */
  completionId: string;
}

export interface ResponseState {
  status: ResponseStatus;
  output: OutputItem[];
  usage: Usage | null;
  error?: { code: string; message: string } | null;
  incomplete?: 'max_output_tokens' | null;
  attribution?: Record<string, unknown> | null;
}

/** Chat usage -> Responses usage (no cached prompt tokens, no reasoning tokens here). */
export function responseUsage(u: Usage) {
  return {
    input_tokens: u.prompt_tokens,
    input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
    output_tokens: u.completion_tokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: u.total_tokens,
  };
}

/** The Response object; request settings are echoed as OpenAI echoes them (defaults filled in). */
export function responseObject(head: ResponseHead, s: ResponseState): Record<string, unknown> {
  const b = head.body;
  const r: Record<string, unknown> = {
    id: head.id,
    object: 'response',
    access_programs: null,
    created_at: head.created_at,
    status: s.status,
    background: false,
    error: s.error ?? null,
    incomplete_details: s.incomplete ? { reason: s.incomplete } : null,
    instructions: b.instructions ?? null,
    max_output_tokens: b.max_output_tokens ?? null,
    max_tool_calls: null,
    model: head.model,
    output: s.output,
    parallel_tool_calls: b.parallel_tool_calls ?? true,
    previous_response_id: b.previous_response_id ?? null,
    reasoning: { effort: null, summary: null },
    service_tier: 'default',
    store: b.store ?? true,
    temperature: b.temperature ?? 1,
    text: { format: b.text?.format ?? { type: 'text' } },
    tool_choice: b.tool_choice ?? 'auto',
    // function tools echoed with OpenAI's required fields (parameters and strict null when not sent)
    tools: (b.tools ?? []).map((t) => ({ ...t, parameters: t.parameters ?? null, strict: t.strict ?? null })),
    top_logprobs: b.top_logprobs ?? 0,
    top_p: b.top_p ?? 1,
    truncation: 'disabled',
    metadata: b.metadata ?? {},
    loraledger: { ...head.servedBy, completion_id: head.completionId },
  };
  if (s.usage) r.usage = responseUsage(s.usage); // absent (not null) until the run finished, as the schema says
  if (b.user != null) r.user = b.user; // OpenAI's schema: a string when set, absent otherwise
  if (s.attribution) r.attribution = s.attribution;
  return r;
}

/** The concatenated text of the message items (the SDKs' `output_text`). */
export function outputText(output: OutputItem[]): string {
  return output
    .filter((o): o is MessageItem => o.type === 'message')
    .flatMap((m) => m.content.map((c) => c.text))
    .join('');
}
