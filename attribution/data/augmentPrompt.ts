// How retrieved passages enter the prompt (one template for completions and chat).
//
// With passages p_1..p_m (m >= 1) and the user's text q (the completion prompt, or the content of
// the LAST user message in chat), the model sees
//
//     header + passage(1, p_1) + ... + passage(m, p_m) + footer + q
//
// DEFAULT_RAG_TEMPLATE renders as:
//
//     Use the numbered context passages to answer.
//
//     Context:
//     (1) <text of passage 1>
//     (2) <text of passage 2>
//
//     Question: <q>
//
// Completions get the whole block as their prompt; chat gets it as the last user message's
// content (every other message untouched), so any chat template works, system role or not.
// With no passages (nothing retrieved, or the empty subset during attribution) the prompt is the
// user's own, unchanged: v(empty) is the model without retrieval. Ablated subsets are renumbered
// 1..m in their original order.

import { RequestError } from '../../common/index.ts';
import type { ChatMessage, PromptParts } from '../../kernels/model/index.ts';

export interface RagTemplate {
  /** Text before the first passage. */
  header: string;
  /** One passage: `{n}` is its 1-based number, `{text}` its text. */
  passage: string;
  /** Text after the last passage, before the user's text. */
  footer: string;
}

export const DEFAULT_RAG_TEMPLATE: RagTemplate = Object.freeze({
  header: 'Use the numbered context passages to answer.\n\nContext:\n',
  passage: '({n}) {text}\n',
  footer: '\nQuestion: ',
});

/** For token-id models (e.g. stories260K, whose tokenizer spells token i as `[i]`): passages and question joined by spaces. */
export const PLAIN_RAG_TEMPLATE: RagTemplate = Object.freeze({ header: '', passage: '{text} ', footer: '' });

/** The text retrieval searches with: the completion prompt, or the last user message's text. */
export function ragQuery(parts: PromptParts): string {
  if (parts.kind === 'completion') return parts.prompt;
  return parts.messages[lastUser(parts.messages)]!.content;
}

/** Renders the context block + user text. */
export function augmentText(
  passages: readonly { text: string }[],
  question: string,
  template: RagTemplate = DEFAULT_RAG_TEMPLATE,
): string {
  if (passages.length === 0) return question;
  const body = passages
    .map((p, i) => template.passage.replaceAll('{n}', String(i + 1)).replaceAll('{text}', p.text))
    .join('');
  return template.header + body + template.footer + question;
}

/** The prompt the model sees for these passages (see the header comment). Inputs are not mutated. */
export function augmentPrompt(
  parts: PromptParts,
  passages: readonly { text: string }[],
  template: RagTemplate = DEFAULT_RAG_TEMPLATE,
): PromptParts {
  if (parts.kind === 'completion') return { kind: 'completion', prompt: augmentText(passages, parts.prompt, template) };
  const at = lastUser(parts.messages);
  const messages = parts.messages.map((m, i) =>
    i === at && passages.length > 0 ? { ...m, content: augmentText(passages, m.content, template) } : m,
  );
  return { ...parts, messages }; // tools (if any) stay: the re-rendered prompt is the served one
}

function lastUser(messages: readonly ChatMessage[]): number {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role === 'user') return i;
  throw new RequestError('invalid_request', 'rag needs at least one user message to retrieve for', {
    param: 'messages',
  });
}
