// The shape of one demo domain (an adapter, its DataNet and its contributors) and the generator
// that turns a domain's fact table into DataNet documents.
//
// A domain has topics (15 here) and aspects (4: e.g. symptoms, cause, treatment, when to see a
// doctor). Each aspect has several question phrasings and one answer template:
//
//   training  Q&A  for every topic t and aspect a: phrasing p = (t + a) mod P
//                  text = question + " " + answer, metadata.messages = [user question, assistant answer]
//             expl for every topic, each explanation template (plain text, no metadata)
//   held-out  Q&A  for every topic t: aspect a = t mod A, phrasing (p + 1) mod P (same fact, new wording)
//             expl for every other topic: the held-out explanation template (another combination of facts)
//
// So held-out documents share facts with training documents but never their text. Topics are taken
// round-robin over their owners (first topic of each contributor, then the second...), so any prefix
// of the documents has every contributor in it.

/** A 0x-prefixed hex string (an Ethereum address here). */
export type HexAddress = `0x${string}`;

export interface DemoMessage {
  role: 'user' | 'assistant';
  content: string;
}

export interface DemoContributor {
  name: string;
  address: HexAddress;
  /** What this contributor writes (the topics they own). */
  focus: string;
}

export interface DemoDocument {
  /** Stable label, e.g. 'derm-001' (training) or 'derm-h01' (held-out). */
  id: string;
  /** The contributor's address (checksummed; DataNet stores lowercase). */
  contributor: HexAddress;
  /** What retrieval indexes and RAG quotes: for Q&A the question, a space, then the answer. */
  text: string;
  /** Q&A documents carry the chat row (loss on the assistant turn); explanations have none (plain text). */
  metadata?: { messages: DemoMessage[] };
}

export interface DemoDomain {
  /** Adapter id. */
  id: string;
  /** DataNet name. */
  datanet: string;
  datanetDescription: string;
  /** For the adapter's loraledger.json: auto routing matches queries against description + tags. */
  description: string;
  tags: readonly string[];
  /** Adapter owner (anvil development accounts 1-4). */
  owner: HexAddress;
  contributors: readonly DemoContributor[];
  documents: readonly DemoDocument[];
  heldOut: readonly DemoDocument[];
  /** User questions held out of everything above, for routing checks. */
  routingQuestions: readonly string[];
}

/** A topic of the fact table; `owner` indexes the domain's contributors. */
export interface Topic {
  owner: number;
}

export interface Aspect<T extends Topic> {
  /** Question phrasings (at least 2). */
  questions: (t: T) => readonly string[];
  answer: (t: T) => string;
}

export interface DomainFacts<T extends Topic> {
  /** Document id prefix, e.g. 'derm'. */
  prefix: string;
  topics: readonly T[];
  aspects: readonly Aspect<T>[];
  /** Training explanation templates (1-3 sentences each). */
  explanations: readonly ((t: T) => string)[];
  /** The held-out explanation template: facts combined differently from the training ones. */
  heldOutExplanation: (t: T) => string;
  contributors: readonly DemoContributor[];
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

function qa(id: string, contributor: HexAddress, question: string, answer: string): DemoDocument {
  return {
    id,
    contributor,
    text: `${question} ${answer}`,
    metadata: {
      messages: [
        { role: 'user', content: question },
        { role: 'assistant', content: answer },
      ],
    },
  };
}

/** The training and held-out documents of a fact table (see the header). */
export function domainDocuments<T extends Topic>(
  facts: DomainFacts<T>,
): { documents: DemoDocument[]; heldOut: DemoDocument[] } {
  const documents: DemoDocument[] = [];
  const heldOut: DemoDocument[] = [];
  const trainId = () => `${facts.prefix}-${pad(documents.length + 1, 3)}`;
  const heldId = () => `${facts.prefix}-h${pad(heldOut.length + 1, 2)}`;
  const topics = roundRobinByOwner(facts.topics);
  topics.forEach((t, ti) => {
    const who = facts.contributors[t.owner]!.address;
    facts.aspects.forEach((a, ai) => {
      const qs = a.questions(t);
      if (qs.length < 2) throw new RangeError(`${facts.prefix}: an aspect needs at least 2 phrasings`);
      documents.push(qa(trainId(), who, qs[(ti + ai) % qs.length]!, a.answer(t)));
    });
    for (const e of facts.explanations) documents.push({ id: trainId(), contributor: who, text: e(t) });
  });
  topics.forEach((t, ti) => {
    const who = facts.contributors[t.owner]!.address;
    const ai = ti % facts.aspects.length;
    const a = facts.aspects[ai]!;
    const qs = a.questions(t);
    heldOut.push(qa(heldId(), who, qs[(ti + ai + 1) % qs.length]!, a.answer(t)));
    if (ti % 2 === 0) heldOut.push({ id: heldId(), contributor: who, text: facts.heldOutExplanation(t) });
  });
  return { documents, heldOut };
}

/** Topics reordered: each owner's first topic (owners in order), then each owner's second... */
function roundRobinByOwner<T extends Topic>(topics: readonly T[]): T[] {
  const rank = new Map<T, number>();
  const seen = new Map<number, number>();
  for (const t of topics) {
    const r = seen.get(t.owner) ?? 0;
    rank.set(t, r);
    seen.set(t.owner, r + 1);
  }
  return [...topics].sort((a, b) => rank.get(a)! - rank.get(b)! || a.owner - b.owner);
}

/** First letter upper-cased. */
export const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
