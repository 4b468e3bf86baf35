// Does a base model answer a RAG prompt by copying from the passage its question points at? Greedy
// answers, straight from an engine (no server), on two sets:
//   synthetic: held-out chat-format copying examples (factory/demo/ragCopyExamples.ts, a seed the
//     build never uses): exact answers, and answers with a run of 6+ words of the target passage;
//   domain: each demo domain's first 10 held-out questions, the user turn the server's RAG prompt
//     over the document with the reference answer and its two neighbours in the DataNet (the same
//     topic's other aspects, mostly), the right one first, second or third in turn: answers with a
//     6-word run of the right passage, and of any passage.
//   prefix5: the answer's first 5 words given (bench/probes/ragPrefixCopy.ts's protocol, the base
//     only): on 30 of the synthetic examples and on 8 held-out questions per domain with the right
//     document and one other as passages, continuations that copy on past the given words;
//   raw: no chat template: BOS, two documents, then 5 words from the first one's 5th word on (24
//     pairs of general prose, 24 of DataNet documents): continuations that copy 8+ words of it.
import { loadTokenizer } from '../../kernels/model/index.ts';
import { DEMO_DOMAINS, GENERAL_DOCUMENTS, type DemoDomain } from '../../factory/demo/corpus/index.ts';
import { ragCopyExamples } from '../../factory/demo/ragCopyExamples.ts';
import { embeddedWiring } from '../../server/integrations.ts';
import { longestSharedRun } from '../report/sharedRun.ts';
import { startDemoEngine } from '../../test/support/plantedEvidence.ts';

const COPY_RUN = 6;

/** A domain's first `n` held-out questions whose reference answer a DataNet document holds, with that document's index. */
export function heldOutWithSource(d: DemoDomain, n: number): Array<{ question: string; want: string; at: number }> {
  return d.heldOut
    .filter((h) => h.metadata)
    .slice(0, n)
    .flatMap((h) => {
      const [question, want] = [h.metadata!.messages[0]!.content, h.metadata!.messages[1]!.content];
      const at = d.documents.findIndex((x) => x.metadata?.messages[1]!.content === want);
      return at < 0 ? [] : [{ question, want, at }];
    });
}

/**
 * ragPrefixCopy's cases: for each domain's first 8 held-out questions, the RAG user turn over the
 * document with the reference answer and the one 7 places on (in that order, or that one first),
 * and the answer's first words.
 */
export function prefixCopyCases(
  prefixWords: number,
  rightFirst: boolean,
): Array<{ domain: DemoDomain; user: string; prefix: string; right: string }> {
  return DEMO_DOMAINS.flatMap((domain) =>
    heldOutWithSource(domain, 8).map(({ question, want, at }) => {
      const docs = domain.documents;
      const [right, other] = [docs[at]!.text, docs[(at + 7) % docs.length]!.text];
      const prefix = want.split(' ').slice(0, prefixWords).join(' ');
      return {
        domain,
        user: embeddedWiring.ragPrompt(rightFirst ? [right, other] : [other, right], question),
        prefix,
        right,
      };
    }),
  );
}
const EVAL_SEED = 777_000;

export interface ChatCopyingResult {
  synthetic: { questions: number; exact: number; copies: number };
  domain: { questions: number; rightCopies: number; anyCopies: number; samples: string[] };
  /** The answer's first 5 words given (ragPrefixCopy's protocol): continuations that copy on. */
  prefix5: { synthetic: number; domain: number; of: [number, number] };
  /** No chat template: two documents, then 5 words of the first: continuations copying 8+ words. */
  raw: { general: number; domain: number; of: number };
}

export async function chatCopying(o: {
  modelDir: string;
  graphsDir: string;
  syntheticCases?: number;
}): Promise<ChatCopyingResult> {
  const tok = await loadTokenizer(o.modelDir);
  const engine = await startDemoEngine(o.modelDir, o.graphsDir, { batchTokens: 4096, queue: 256 });
  try {
    let n = 0;
    const chat = (user: string, prefix = '') => [
      ...tok.applyChatTemplate([{ role: 'user', content: user }], { addGenerationPrompt: true }),
      ...(prefix ? tok.encode(prefix, { addSpecialTokens: false }) : []),
    ];
    const answer = async (user: string | number[]): Promise<string> => {
      const ids: number[] = [];
      const events = engine.generate({
        id: `c${n++}`,
        promptIds: typeof user === 'string' ? chat(user) : user,
        adapterId: null,
        maxTokens: 40,
        sampling: { temperature: 0, topP: 1, topK: 0 },
        stopTokenIds: [2, 0],
        ignoreEos: false,
      });
      for await (const e of events) if (e.type === 'token') ids.push(e.tokenId);
      return tok.decode(ids, { skipSpecialTokens: true }); // untrimmed: a continuation's first space counts
    };

    const words = GENERAL_DOCUMENTS.flatMap((d) => d.split(/\s+/));
    const synthetic = { questions: 0, exact: 0, copies: 0 };
    const cases = ragCopyExamples({ count: o.syntheticCases ?? 40, seed: EVAL_SEED, words });
    const synthAnswers = await Promise.all(
      cases.map(async (c) => (await answer(embeddedWiring.ragPrompt(c.passages, c.question))).trim()),
    );
    for (const [i, c] of cases.entries()) {
      synthetic.questions++;
      if (synthAnswers[i] === c.answer) synthetic.exact++;
      if (longestSharedRun(synthAnswers[i]!, c.passages[c.source]!) >= COPY_RUN) synthetic.copies++;
    }

    const domain = { questions: 0, rightCopies: 0, anyCopies: 0, samples: [] as string[] };
    const asks: Array<Promise<void>> = [];
    for (const d of DEMO_DOMAINS) {
      for (const [qi, { question, at }] of heldOutWithSource(d, 10).entries()) {
        const docs = d.documents;
        const others = [docs[(at + 1) % docs.length]!.text, docs[(at + docs.length - 1) % docs.length]!.text];
        const passages = [...others];
        passages.splice(qi % 3, 0, docs[at]!.text);
        asks.push(
          answer(embeddedWiring.ragPrompt(passages, question)).then((got) => {
            domain.questions++;
            if (longestSharedRun(got, docs[at]!.text) >= COPY_RUN) domain.rightCopies++;
            if (passages.some((p) => longestSharedRun(got, p) >= COPY_RUN)) domain.anyCopies++;
            if (qi < 2) domain.samples.push(`${d.id}: ${question} => ${got}`);
          }),
        );
      }
    }
    await Promise.all(asks);

    const PREFIX = 5;
    const continues = async (prompt: number[], prefix: string, source: string, run: number) =>
      longestSharedRun(`${prefix}${await answer(prompt)}`, source) >= run;
    const prefix5 = { synthetic: 0, domain: 0, of: [0, 0] as [number, number] };
    for (const c of cases.slice(0, 30)) {
      const prefix = c.answer.split(' ').slice(0, PREFIX).join(' ');
      prefix5.of[0]++;
      if (
        await continues(
          chat(embeddedWiring.ragPrompt(c.passages, c.question), prefix),
          prefix,
          c.passages[c.source]!,
          PREFIX + 1,
        )
      )
        prefix5.synthetic++;
    }
    for (const c of prefixCopyCases(PREFIX, true)) {
      prefix5.of[1]++;
      if (await continues(chat(c.user, c.prefix), c.prefix, c.right, PREFIX + 1)) prefix5.domain++;
    }

    const raw = { general: 0, domain: 0, of: 24 };
    const rawCopies = async (texts: readonly string[]) => {
      let hits = 0;
      let tried = 0;
      for (let i = 0; i + 1 < texts.length && tried < raw.of; i += 2) {
        const words = texts[i]!.split(' ');
        if (words.length < 16) continue;
        const prefix = words.slice(4, 4 + PREFIX).join(' ');
        tried++;
        const prompt = [
          tok.bosTokenId ?? 1,
          ...tok.encode(`${texts[i]}\n${texts[i + 1]}\n${prefix}`, { addSpecialTokens: false }),
        ];
        if (await continues(prompt, prefix, texts[i]!, 8)) hits++;
      }
      return hits;
    };
    raw.general = await rawCopies(GENERAL_DOCUMENTS.slice(100, 160));
    raw.domain = await rawCopies(DEMO_DOMAINS.flatMap((d) => d.documents.slice(0, 14).map((x) => x.text)));
    return { synthetic, domain, prefix5, raw };
  } finally {
    await engine.close();
  }
}
