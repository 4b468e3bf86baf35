// A user's prompt before tokenization, in the normalised shape every layer passes around (the
// HTTP layer turns OpenAI content parts into one string; attribution may rewrite it; the
// tokenizer's chat template renders it).
import type { ChatTemplateTool, ChatTemplateToolCall } from './plainTools.ts';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  /** Assistant: the tool calls it made (arguments parsed into objects, as chat templates expect). */
  tool_calls?: ChatTemplateToolCall[];
  /** Tool: the id of the call this result answers. */
  tool_call_id?: string;
}

/** A completion text, or chat messages (with the tools the template renders, when the request has any). */
export type PromptParts =
  { kind: 'completion'; prompt: string } | { kind: 'chat'; messages: ChatMessage[]; tools?: ChatTemplateTool[] };
