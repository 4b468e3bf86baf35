// The embedded demo's training corpus: four domains (adapter, DataNet, contributors, documents,
// held-out documents, routing questions) and the general corpus the base model is pretrained on.
import { DEMO_DOMAINS } from './demoDomains.ts';
import { COPYING_EXAMPLES, GENERAL_CHATS, GENERAL_DOCUMENTS } from './generalCorpus.ts';

export { buildDemoDomains, DEMO_DOMAINS, DEMO_MNEMONIC, FIRST_CONTRIBUTOR_INDEX } from './demoDomains.ts';
export type { DemoContributor, DemoDocument, DemoDomain, DemoMessage, HexAddress } from './demoDomain.ts';
export { COPYING_EXAMPLES, GENERAL_CHATS, GENERAL_DOCUMENTS } from './generalCorpus.ts';
export type { ChatMessages, CopyingExample } from './generalCorpus.ts';

/**
 * Every text of the corpus, for training the BPE tokenizer: the domains' documents and held-out
 * documents, the general prose, each chat message, and each copying example's passages, question
 * and answer, joined by blank lines. (Chat and RAG template text is added by whoever renders them.)
 */
export function corpusText(): string {
  const parts: string[] = [];
  for (const d of DEMO_DOMAINS) for (const doc of [...d.documents, ...d.heldOut]) parts.push(doc.text);
  parts.push(...GENERAL_DOCUMENTS);
  for (const c of GENERAL_CHATS) for (const m of c) parts.push(m.content);
  for (const e of COPYING_EXAMPLES) parts.push(...e.passages, e.question, e.answer);
  return parts.join('\n\n');
}
