// Closed-loop HTTP load against an OpenAI-compatible server: `streams` clients, each sending its
// next request as soon as the last one finishes, streaming (SSE) so every token's arrival time is
// seen. Requests carry token-id prompts and ask for token ids back (vLLM's return_token_ids) and
// ignore EOS so every request produces exactly max_tokens tokens.
import { setMaxListeners } from 'node:events';
import type { StreamRecord } from './stats.ts';

export interface HttpRequestSpec {
  /** Adapter id, or the base model id. */
  model: string;
  adapterId: string | null;
  promptIds: number[];
  maxTokens: number;
}

export interface StreamResult extends StreamRecord {
  tokens: number[];
  /** Stopped by the time box before max_tokens (its tokens so far still count). */
  cut?: boolean;
}

/** Parses an SSE body, calling `onData` with each `data:` payload as it arrives. */
async function readSse(body: ReadableStream<Uint8Array>, onData: (data: string) => void): Promise<void> {
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true });
    let cut: number;
    while ((cut = buf.indexOf('\n\n')) >= 0) {
      const event = buf.slice(0, cut);
      buf = buf.slice(cut + 2);
      for (const line of event.split('\n')) if (line.startsWith('data:')) onData(line.slice(5).trim());
    }
  }
}

/** One streamed completion; never throws (errors land in `error`). */
export async function streamCompletion(
  baseUrl: string,
  r: HttpRequestSpec,
  extra: Record<string, unknown> = {},
  signal?: AbortSignal,
): Promise<StreamResult & { logprobs: Array<Record<string, number>> }> {
  const rec = {
    startMs: performance.now(),
    tokenMs: [] as number[],
    tokens: [] as number[],
    adapterId: r.adapterId,
    logprobs: [] as Array<Record<string, number>>,
  } as StreamResult & { logprobs: Array<Record<string, number>> };
  try {
    const res = await fetch(`${baseUrl}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: r.model,
        prompt: r.promptIds,
        max_tokens: r.maxTokens,
        temperature: 0,
        stream: true,
        ignore_eos: true,
        return_token_ids: true,
        ...extra,
      }),
      signal,
    });
    if (!res.ok || !res.body) {
      rec.error = `HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`;
      return rec;
    }
    await readSse(res.body, (data) => {
      if (data === '[DONE]') return;
      const now = performance.now();
      const msg = JSON.parse(data) as {
        choices?: Array<{ token_ids?: number[]; logprobs?: { top_logprobs?: Array<Record<string, number>> } | null }>;
        error?: { message: string };
      };
      if (msg.error) {
        rec.error = msg.error.message;
        return;
      }
      const c = msg.choices?.[0];
      for (const id of c?.token_ids ?? []) {
        rec.tokens.push(id);
        rec.tokenMs.push(now);
      }
      for (const top of c?.logprobs?.top_logprobs ?? []) rec.logprobs.push(top);
    });
  } catch (err) {
    if (signal?.aborted) rec.cut = true;
    else rec.error = (err as Error).message;
  }
  return rec;
}

/**
 * Runs `requests` over `streams` closed-loop clients taking the next request from a shared queue.
 * With `timeBoxS`, the signal handed to `send` aborts after that many seconds: no request starts
 * after it, and those in flight stop (their tokens so far count; `cut` marks them). Returns the
 * records of the requests that started, in request order, and the wall time.
 */
export async function runClosedLoop<R>(
  requests: R[],
  streams: number,
  send: (r: R, index: number, signal: AbortSignal) => Promise<StreamResult>,
  timeBoxS: number | null = null,
): Promise<{ records: StreamResult[]; wallMs: number; boxed: boolean }> {
  const records: StreamResult[] = new Array(requests.length);
  const box = new AbortController();
  setMaxListeners(Infinity, box.signal); // every request in flight listens to the one time box
  const timer = timeBoxS === null ? null : setTimeout(() => box.abort(), timeBoxS * 1000);
  let next = 0;
  const t0 = performance.now();
  const client = async (): Promise<void> => {
    while (next < requests.length && !box.signal.aborted) {
      const i = next++;
      records[i] = await send(requests[i]!, i, box.signal);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(streams, requests.length) }, client));
  } finally {
    if (timer) clearTimeout(timer);
  }
  return { records: records.filter((r) => r !== undefined), wallMs: performance.now() - t0, boxed: box.signal.aborted };
}
