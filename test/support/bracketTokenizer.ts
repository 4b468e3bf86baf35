// The stories260K stand-in vocabulary as a ServerTokenizer for HTTP-layer tests with the
// ScriptedEngine: token i is spelled `[i]`; encode parses `[i]` groups (other characters are
// ignored) and prepends BOS 1. Chat template: every message's content concatenated.
import type { ChatMessage, ServerTokenizer } from '../../server/ports.ts';

export const bracketTokenizer: ServerTokenizer = {
  encode(text: string): number[] {
    return [1, ...[...text.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]))];
  },
  decode(ids: number[]): string {
    return ids.map((i) => `[${i}]`).join('');
  },
  applyChatTemplate(messages: ChatMessage[]): number[] {
    return this.encode(messages.map((m) => m.content).join(''));
  },
  detokenizer() {
    return { push: (id: number) => `[${id}]`, flush: () => '' };
  },
};
