// Validated request body -> CompletionPlan: resolve the model (base / adapter / "auto"), tokenize
// (text, token ids, chat template), check lengths against the context, fill defaults. The same
// functions serve HTTP and WebSocket requests.
import { randomUUID } from 'node:crypto';
import { AdapterError, RequestError } from '../../common/index.ts';
import type { AdapterDirectory, AttributionHook, AutoRouter, ChatMessage, ServerTokenizer } from '../ports.ts';
import type { CompletionPlan } from './runCompletion.ts';
import { constraintFromBody } from './structuredOutput.ts';
import type { ChatBody, CompletionBody } from '../http/schemas.ts';
import type { ServedBy } from './chunkShapes.ts';
import { planTools } from './tools/toolRequest.ts';
import { toolFields } from './tools/toolMessages.ts';
import type { ToolParserName } from './tools/toolCallFormats.ts';

export interface PlanDeps {
  baseModelId: string;
  tokenizer: ServerTokenizer;
  adapters: AdapterDirectory;
  router: AutoRouter;
  vocabSize: number;
  /** Longest prompt + output, tokens. */
  maxModelLen: number;
  timeoutSeconds: number;
  /** Attribution's pre-generation hook (RAG); absent = prompts pass unchanged. */
  attribution?: AttributionHook;
  /** The tool-call syntax replies are parsed for (--tool-call-parser, auto resolved); null = none. */
  toolParser: ToolParserName | null;
  /** Name of the API key that pays for the request (server/security), for its attribution record. */
  payer?: string | null;
}

export const AUTO_MODEL = 'auto';

/** model -> adapter id (null = base) and how it was chosen. */
/**
 * The `model` a response echoes: the concrete model that served it (the adapter "auto" chose, or
 * the base model), as OpenAI echoes the resolved model; `loraledger.routed` says why.
 */
function servedModel(adapterId: string | null, deps: Pick<PlanDeps, 'baseModelId'>): string {
  return adapterId ?? deps.baseModelId;
}

export function resolveModel(
  model: string,
  promptText: () => string,
  deps: PlanDeps,
): { adapterId: string | null; servedBy: ServedBy } {
  if (model === deps.baseModelId) return { adapterId: null, servedBy: { adapter: null } };
  if (model === AUTO_MODEL) {
    const d = deps.router.route({ text: promptText() });
    return { adapterId: d.adapterId, servedBy: { adapter: d.adapterId, routed: { reason: d.reason, score: d.score } } };
  }
  const a = deps.adapters.get(model);
  if (!a) {
    throw new RequestError(
      'model_not_found',
      `The model "${model}" does not exist: use "${deps.baseModelId}", "auto" or a registered adapter id (GET /v1/models).`,
      { param: 'model' },
    );
  }
  if (a.state === 'errored') {
    deps.adapters.retry?.(a.id); // a repaired folder serves again (the next request)
    throw new AdapterError('adapter_load_failed', `Adapter "${model}" is errored: ${a.reason ?? 'unknown reason'}`, {
      param: 'model',
    });
  }
  return { adapterId: a.id, servedBy: { adapter: a.id } };
}

function checkIds(ids: number[], deps: PlanDeps, param: string): void {
  const bad = ids.find((t) => t >= deps.vocabSize);
  if (bad !== undefined)
    throw new RequestError(
      'invalid_request',
      `${param}: token id ${bad} is outside the vocabulary (size ${deps.vocabSize})`,
      { param },
    );
}

function checkLength(promptLen: number, maxTokens: number, deps: PlanDeps, param: string, maxParam: string): void {
  if (promptLen === 0)
    throw new RequestError('empty_prompt', `${param} is empty: it must contain at least one token`, { param });
  if (promptLen >= deps.maxModelLen) {
    throw new RequestError(
      'context_length_exceeded',
      `This model's maximum context length is ${deps.maxModelLen} tokens; the ${param} has ${promptLen} tokens, leaving none to generate.`,
      { param },
    );
  }
  if (promptLen + maxTokens > deps.maxModelLen) {
    throw new RequestError(
      'context_length_exceeded',
      `This model's maximum context length is ${deps.maxModelLen} tokens; you requested ${promptLen + maxTokens} (${promptLen} in the ${param}, ${maxTokens} for the completion). Reduce ${maxParam} or the ${param}.`,
      { param: maxParam },
    );
  }
}

/** OpenAI fields loraledger does not implement: refused by name rather than silently ignored. */
function rejectUnsupported(body: Record<string, unknown>): void {
  const set = (k: string) => body[k] !== undefined && body[k] !== null;
  const nonEmpty = (k: string) =>
    set(k) &&
    !(Array.isArray(body[k]) && (body[k] as unknown[]).length === 0) &&
    !(typeof body[k] === 'object' && !Array.isArray(body[k]) && Object.keys(body[k] as object).length === 0);
  const why = (k: string, what: string) =>
    new RequestError('invalid_request', `${k} is not supported by this server (${what})`, { param: k });
  if (nonEmpty('functions')) throw why('functions', 'the deprecated form: use tools');
  if (set('function_call')) throw why('function_call', 'the deprecated form: use tool_choice');
  if (set('best_of') && body.best_of !== 1 && body.best_of !== body.n) throw why('best_of', 'use n');
  if (set('suffix')) throw why('suffix', 'no insertion');
}

/** A request refused after attribution prepared it must not leave a ticket behind. */
async function forgetOnError(id: string, deps: PlanDeps, make: () => Promise<CompletionPlan>): Promise<CompletionPlan> {
  try {
    return await make();
  } catch (err) {
    deps.attribution?.forget?.(id);
    throw err;
  }
}

const stopList = (s: string | string[] | null | undefined): string[] =>
  s == null ? [] : typeof s === 'string' ? [s] : s;
const created = () => Math.floor(Date.now() / 1000);

/** logit_bias with numeric keys; a token id outside the vocabulary is a 400 naming it. */
function logitBias(bias: Record<string, number> | null | undefined, vocabSize: number): Record<number, number> {
  const out: Record<number, number> = {};
  for (const [key, value] of Object.entries(bias ?? {})) {
    const id = Number(key);
    if (!Number.isInteger(id) || id >= vocabSize)
      throw new RequestError(
        'invalid_request',
        `logit_bias names token ${key}, outside the vocabulary (0..${vocabSize - 1})`,
        { param: 'logit_bias' },
      );
    out[id] = value;
  }
  return out;
}

function common(body: CompletionBody | ChatBody, deps: PlanDeps) {
  return {
    n: body.n ?? 1,
    sampling: {
      temperature: body.temperature ?? 1,
      topP: body.top_p ?? 1,
      topK: body.top_k ?? 0,
      seed: body.seed ?? undefined,
      logitBias: logitBias(body.logit_bias, deps.vocabSize),
      presencePenalty: body.presence_penalty ?? 0,
      frequencyPenalty: body.frequency_penalty ?? 0,
      repetitionPenalty: body.repetition_penalty ?? 1,
      minP: body.min_p ?? 0,
    },
    stop: stopList(body.stop),
    ignoreEos: body.ignore_eos ?? false,
    returnTokenIds: body.return_token_ids ?? false,
    timeoutSeconds: deps.timeoutSeconds,
    user: body.user ?? undefined,
    constraint: constraintFromBody(body),
  };
}

export function planCompletion(body: CompletionBody, deps: PlanDeps): Promise<CompletionPlan> {
  const id = `cmpl-${randomUUID()}`;
  return forgetOnError(id, deps, () => completionPlan(id, body, deps));
}

async function completionPlan(id: string, body: CompletionBody, deps: PlanDeps): Promise<CompletionPlan> {
  rejectUnsupported(body);
  let p = body.prompt;
  const firstText = () =>
    typeof p === 'string'
      ? p
      : typeof p[0] === 'string'
        ? p[0]
        : deps.tokenizer.decode((typeof p[0] === 'number' ? p : p[0]) as number[]);
  const { adapterId, servedBy } = resolveModel(body.model, firstText, deps);
  if (deps.attribution?.prepare) {
    const parts = await deps.attribution.prepare({
      requestId: id,
      body,
      parts: typeof p === 'string' ? { kind: 'completion', prompt: p } : null,
      payer: deps.payer ?? null,
    });
    if (parts?.kind === 'completion') p = parts.prompt;
  }
  let prompts: number[][];
  if (typeof p === 'string') prompts = [p === '' ? [] : deps.tokenizer.encode(p)];
  else if (p.length > 0 && typeof p[0] === 'number') prompts = [p as number[]];
  else if (p.length > 0 && typeof p[0] === 'string')
    prompts = (p as string[]).map((s) => (s === '' ? [] : deps.tokenizer.encode(s)));
  else prompts = p as number[][];
  if (prompts.length === 0)
    throw new RequestError('empty_prompt', 'prompt is empty: it must contain at least one token', { param: 'prompt' });
  const maxTokens = body.max_tokens ?? 16;
  for (const ids of prompts) {
    checkIds(ids, deps, 'prompt');
    checkLength(ids.length, maxTokens, deps, 'prompt', 'max_tokens');
  }
  return {
    kind: 'completion',
    head: { id, created: created(), model: servedModel(adapterId, deps) },
    adapterId,
    servedBy,
    prompts,
    maxTokens,
    ...common(body, deps),
    logprobs: body.logprobs ?? undefined,
    echo: body.echo ?? false,
  };
}

export function chatMessages(body: ChatBody): ChatMessage[] {
  return body.messages.map((m, i) => ({
    role: m.role === 'developer' ? 'system' : m.role,
    content:
      m.content == null ? '' : typeof m.content === 'string' ? m.content : m.content.map((part) => part.text).join(''),
    ...toolFields(m, i),
  }));
}

export function planChat(body: ChatBody, deps: PlanDeps): Promise<CompletionPlan> {
  const id = `chatcmpl-${randomUUID()}`;
  return forgetOnError(id, deps, () => chatPlan(id, body, deps));
}

async function chatPlan(id: string, body: ChatBody, deps: PlanDeps): Promise<CompletionPlan> {
  rejectUnsupported(body);
  const tools = planTools(body, deps.toolParser, (t) => deps.tokenizer.isSpecialToken?.(t) ?? false);
  let messages = chatMessages(body);
  if (messages.every((m) => m.content === '' && !m.tool_calls))
    throw new RequestError('empty_prompt', 'messages are empty: every message has empty content', {
      param: 'messages',
    });
  const lastUser = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const { adapterId, servedBy } = resolveModel(body.model, () => lastUser, deps);
  if (deps.attribution?.prepare) {
    const parts = await deps.attribution.prepare({
      requestId: id,
      body,
      parts: { kind: 'chat', messages, tools: tools.rendered },
      payer: deps.payer ?? null,
    });
    if (parts?.kind === 'chat') messages = parts.messages;
  }
  const ids = deps.tokenizer.applyChatTemplate(messages, { tools: tools.rendered });
  checkIds(ids, deps, 'messages');
  const asked = body.max_completion_tokens ?? body.max_tokens ?? undefined;
  const maxParam = body.max_completion_tokens != null ? 'max_completion_tokens' : 'max_tokens';
  const maxTokens = asked ?? Math.max(1, deps.maxModelLen - ids.length);
  checkLength(ids.length, maxTokens, deps, 'messages', maxParam);
  if (body.top_logprobs != null && body.top_logprobs > 0 && !body.logprobs) {
    throw new RequestError('invalid_request', 'top_logprobs needs logprobs: true', { param: 'top_logprobs' });
  }
  const shared = common(body, deps);
  if (tools.constraint && shared.constraint)
    throw new RequestError(
      'invalid_request',
      'tool_choice "required" (or a named function) and response_format both constrain the reply: send only one',
      { param: 'tool_choice' },
    );
  return {
    kind: 'chat',
    head: { id, created: created(), model: servedModel(adapterId, deps) },
    adapterId,
    servedBy,
    prompts: [ids],
    maxTokens,
    ...shared,
    constraint: tools.constraint ?? shared.constraint,
    logprobs: body.logprobs ? (body.top_logprobs ?? 0) : undefined,
    echo: false,
    tools: tools.plan,
  };
}
