// A user's prompt before tokenization, in the normalised shape every layer passes around (the
// HTTP layer turns OpenAI content parts into one string; attribution may rewrite it; the
// tokenizer's chat template renders it).

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** A completion text, or chat messages. */
export type PromptParts = { kind: 'completion'; prompt: string } | { kind: 'chat'; messages: ChatMessage[] };
