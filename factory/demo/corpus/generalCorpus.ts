// The general (domain-free) corpus the demo base model is pretrained on:
//
//   GENERAL_DOCUMENTS   plain prose (everyday life, weather, science basics, short stories)
//   GENERAL_CHATS       chat exchanges (greetings, everyday facts, arithmetic, summaries, thanks)
//   COPYING_EXAMPLES    passages + question + an answer copied from one passage, to be rendered with
//                       DEFAULT_RAG_TEMPLATE (attribution/data/augmentPrompt.ts) as the user turn
//
// All generated from templates with fixed seeds: the same on every import.
import { copyingExamples, type CopyingExample } from './copyingExamples.ts';
import { generalChats, type ChatMessages } from './generalChats.ts';
import { generalProse } from './generalProse.ts';

export type { ChatMessages, CopyingExample };

export const GENERAL_DOCUMENTS: readonly string[] = generalProse();
export const GENERAL_CHATS: readonly ChatMessages[] = generalChats();
export const COPYING_EXAMPLES: readonly CopyingExample[] = copyingExamples();
