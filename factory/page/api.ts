/// <reference lib="dom" />
// The page's client for this server's /v1 API (browser code). Every call carries the tab's API
// key as "Authorization: Bearer" when one was entered (apiKey.ts). Every failure becomes an
// ApiError carrying the server's OpenAI-shaped message ({"error": {"message"}}) and its status,
// for the page to show.
import { apiKey } from './apiKey.js';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface ModelCard {
  id: string;
  parent: string | null;
  loraledger?: { state?: string; description?: string | null };
}
export interface Datanet {
  id: string;
  title: string | null;
  documents: number;
}
export interface DataDocument {
  doc_id: string;
  contributor: string;
  text: string;
}
export interface FileObject {
  id: string;
  filename: string;
  bytes: number;
}
export type JobStatus = 'validating_files' | 'queued' | 'running' | 'paused' | 'succeeded' | 'failed' | 'cancelled';
export interface Job {
  id: string;
  created_at: number;
  model: string;
  status: JobStatus;
  fine_tuned_model: string | null;
  estimated_finish: number | null;
  step: number | null;
  total_steps: number | null;
  trained_tokens: number | null;
  training_file: string;
  error: { message: string } | null;
}
export interface JobEvent {
  id: string;
  created_at: number;
  level: string;
  message: string;
  type: string;
  data: { step?: number; total_steps?: number; train_loss?: number; valid_loss?: number } | null;
}
export interface Provenance {
  fine_tuned_model: string;
  training_manifest_hash: string | null;
  contributors: Array<{ contributor: string | null; examples: number; datanets: string[] }>;
  training: { examples?: unknown[]; base_model?: { id: string } } | null;
}
interface List<T> {
  data: T[];
  has_more?: boolean;
}

export const FINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

/** fetch + JSON, throwing ApiError with the server's message on any non-2xx answer. */
export async function api<T>(path: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined) headers.set('content-type', 'application/json');
  const key = apiKey();
  if (key !== null) headers.set('authorization', `Bearer ${key}`);
  let res: Response;
  try {
    res = await fetch(path, { ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body });
  } catch (err) {
    throw new ApiError(`the server did not answer (${(err as Error).message})`, 0);
  }
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  if (!res.ok) {
    const message = (body as { error?: { message?: string } } | null)?.error?.message;
    throw new ApiError(message ?? `${res.status} ${res.statusText}`, res.status);
  }
  return body as T;
}

export const listModels = async () => (await api<List<ModelCard>>('/v1/models')).data;
export const listDatanets = async () => (await api<List<Datanet>>('/v1/datanets')).data;
export const listDocuments = async (id: string, limit: number) =>
  (await api<List<DataDocument>>(`/v1/datanets/${encodeURIComponent(id)}/documents?limit=${limit}`)).data;

export function uploadFile(file: File): Promise<FileObject> {
  const form = new FormData();
  form.append('purpose', 'fine-tune');
  form.append('file', file, file.name);
  return api<FileObject>('/v1/files', { method: 'POST', body: form });
}

const jobPath = (id: string) => `/v1/fine_tuning/jobs/${encodeURIComponent(id)}`;
export const createJob = (body: object) => api<Job>('/v1/fine_tuning/jobs', { method: 'POST', json: body });
export const getJob = (id: string) => api<Job>(jobPath(id));
export const listJobs = async () => (await api<List<Job>>('/v1/fine_tuning/jobs?limit=20')).data;
export const jobAction = (id: string, action: 'cancel' | 'pause' | 'resume') =>
  api<Job>(`${jobPath(id)}/${action}`, { method: 'POST' });
export const provenance = (id: string) => api<Provenance>(`${jobPath(id)}/provenance`);

/** The events not in `known` (newest first), paging back until a known one or the first. */
export async function newEvents(id: string, known: Set<string>): Promise<JobEvent[]> {
  const out: JobEvent[] = [];
  let after = '';
  for (;;) {
    const page = await api<List<JobEvent>>(`${jobPath(id)}/events?limit=100${after && `&after=${after}`}`);
    for (const e of page.data) {
      if (known.has(e.id)) return out;
      out.push(e);
    }
    if (!page.has_more || page.data.length === 0) return out;
    after = page.data.at(-1)!.id;
  }
}

export async function complete(model: string, prompt: string, maxTokens: number): Promise<string> {
  const r = await api<{ choices: Array<{ text: string }> }>('/v1/completions', {
    method: 'POST',
    json: { model, prompt, max_tokens: maxTokens, temperature: 0 },
  });
  return r.choices[0]?.text ?? '';
}

export type ChatMessage = { role: 'user' | 'assistant'; content: string };
export async function chat(model: string, messages: ChatMessage[]): Promise<string> {
  const r = await api<{ choices: Array<{ message: { content: string | null } }> }>('/v1/chat/completions', {
    method: 'POST',
    json: { model, messages, max_tokens: 32 },
  });
  return r.choices[0]?.message.content ?? '';
}
