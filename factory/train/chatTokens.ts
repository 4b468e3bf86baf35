// A chat row's tokens and loss weights: the conversation rendered by the model's chat template
// (exactly what the server renders for /v1/chat/completions), with the loss on the assistant
// turns only (TRL's `assistant_only_loss`, OpenAI's per-message `weight`).
//
// The assistant spans are found by rendering prefixes of the conversation and comparing tokens,
// so it works for any template without knowing its markup. For assistant message i:
//   before = template(messages[0..i-1], generation prompt)   ... "<|im_start|>assistant\n"
//   after  = template(messages[0..i],   no generation prompt) ... "<|im_start|>assistant\n" content "<|im_end|>\n"
//   full   = template(messages,         no generation prompt)
// `before` must be a token prefix of `after`, and `after` of `full` (else the template is not
// prefix-stable and the row is refused, naming the message). The trained span is
// after[before.length ..], cut after its last EOS token when it holds one: the content and the
// template's end-of-turn token, not the newline the template writes after it. A template with no
// EOS in the span (the plain "{role}: {content}\n" fallback) trains on the whole span.
//
// Glossary: L tokens of the row.
import type { loadTokenizer } from '../../kernels/model/index.ts';
import type { TrainMessage } from './trainingRows.ts';

type TextTokenizer = Awaited<ReturnType<typeof loadTokenizer>>;
/** What chat masking needs of a tokenizer. */
export type ChatTokenizer = Pick<TextTokenizer, 'applyChatTemplate' | 'eosTokenId'>;

export interface WeightedTokens {
  tokens: number[]; // [L]
  /** [L] weights[t] = 1 when tokens[t] is a loss target (predicted from tokens[0..t-1]); weights[0] = 0. */
  weights: number[];
}

function isPrefix(a: number[], b: number[]): boolean {
  if (a.length > b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Tokens and assistant-only weights of a conversation; `bad` throws naming the row. */
export function chatTokens(
  tok: ChatTokenizer,
  messages: TrainMessage[],
  bad: (problem: string) => never,
): WeightedTokens {
  const plain = messages.map((m) => ({ role: m.role, content: m.content }));
  const full = tok.applyChatTemplate(plain, { addGenerationPrompt: false });
  const weights: number[] = new Array<number>(full.length).fill(0);
  for (let i = 1; i < messages.length; i++) {
    const m = messages[i]!;
    if (m.role !== 'assistant' || m.weight === 0) continue;
    const before = tok.applyChatTemplate(plain.slice(0, i), { addGenerationPrompt: true });
    const after = tok.applyChatTemplate(plain.slice(0, i + 1), { addGenerationPrompt: false });
    if (!isPrefix(before, after) || !isPrefix(after, full)) {
      bad(
        `messages[${i}]: the chat template does not render this conversation prefix by prefix, so its assistant ` +
          'tokens cannot be found',
      );
    }
    let end = after.length; // exclusive
    if (tok.eosTokenId !== null) {
      const eot = after.lastIndexOf(tok.eosTokenId);
      if (eot >= before.length) end = eot + 1;
    }
    for (let t = before.length; t < end; t++) weights[t] = 1;
  }
  if (weights.length > 0) weights[0] = 0;
  return { tokens: full, weights };
}
