// Chat-format copying examples for the embedded default's base pretraining: the RAG prompt the
// server builds (passages, then a question), and an answer that is the rest of the passage the
// question points at: an attempt to carry the repeated-sequence copying of ./inductionExamples.ts
// over to the prompts retrieval sends. Measured, 500 of them over 3 epochs did not (0 exact
// answers on held-out ones; docs/benchmarks.md), so the build has none; bench/probes/baseCopying.ts
// --rag-copies N trains with them.
//
// Each passage is "<lead>? <body>." with lead and body cut from different places of the general
// corpus's words, so the body cannot be predicted from the lead or remembered from pretraining:
// only the context holds it. The question names the target passage by its lead: the whole lead
// (half the examples), or its last 1-3 words after 2-5 other corpus words (the rest), as a
// domain question such as "How can I tell if I have vitiligo?" shares only the end of the
// retrieved "What are the symptoms of vitiligo?". The answer is the target's body, verbatim.
// 1-5 passages, so prompts reach the length that top_k 3 over the demo DataNets gives (about 260
// tokens), and the target is at each place equally often.
//
// Deterministic for a seed.
import { Prng } from '../../common/index.ts';

export interface RagCopyExample {
  passages: string[];
  question: string;
  /** The body of passages[source], verbatim. */
  answer: string;
  source: number;
}

export interface RagCopyOptions {
  count: number;
  seed: number;
  /** The general corpus as words: leads, bodies and question words are cut from it. */
  words: readonly string[];
  /**
   * "Question? Answer." documents: every other example's passages are drawn from them instead
   * (lead = the question, body = the answer), so the copies are also of their vocabulary.
   */
  documents?: readonly string[];
}

const LEAD = [4, 9] as const;
const BODY = [8, 20] as const;
const MAX_PASSAGES = 5;

export function ragCopyExamples(o: RagCopyOptions): RagCopyExample[] {
  const words = o.words.map((w) => w.replace(/[^\p{L}\p{N}'-]+/gu, '')).filter(Boolean);
  if (words.length <= LEAD[1] + BODY[1]) throw new RangeError('ragCopyExamples: corpus shorter than one passage');
  const rng = new Prng(o.seed);
  const docs = (o.documents ?? []).flatMap((d) => {
    const at = d.indexOf('? ');
    return at > 0 ? [{ lead: d.slice(0, at).split(' '), body: d.slice(at + 2) }] : [];
  });
  const cut = (range: readonly [number, number]): string[] => {
    const len = range[0] + rng.int(range[1] - range[0] + 1);
    const at = rng.int(words.length - len + 1);
    return words.slice(at, at + len);
  };
  const sentence = (ws: string[], end: string) => `${ws[0]!.charAt(0).toUpperCase()}${ws.join(' ').slice(1)}${end}`;
  return Array.from({ length: o.count }, (_, i) => {
    const m = 1 + (i % MAX_PASSAGES);
    const source = Math.floor(i / MAX_PASSAGES) % m;
    let leads: string[][];
    let bodies: string[];
    if (docs.length >= MAX_PASSAGES && i % 2 === 1) {
      const picked = pickDistinct(rng, docs.length, m).map((k) => docs[k]!);
      leads = picked.map((d) => d.lead);
      bodies = picked.map((d) => d.body);
    } else {
      leads = Array.from({ length: m }, () => cut(LEAD));
      bodies = Array.from({ length: m }, () => sentence(cut(BODY), '.'));
    }
    const passages = leads.map((lead, j) => `${sentence(lead, '?')} ${bodies[j]}`);
    const lead = leads[source]!;
    const question =
      i % 2 === 0 ? sentence(lead, '?') : sentence([...cut([2, 5]), ...lead.slice(-(1 + rng.int(3)))], '?');
    return { passages, question, answer: bodies[source]!, source };
  });
}

function pickDistinct(rng: Prng, n: number, k: number): number[] {
  const out: number[] = [];
  while (out.length < k) {
    const x = rng.int(n);
    if (!out.includes(x)) out.push(x);
  }
  return out;
}
