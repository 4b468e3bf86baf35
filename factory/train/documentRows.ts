// DataNet documents as training rows. A document is free text plus its contributor's metadata
// (attribution/data/datanetStore.ts `DataDocument`); the metadata may carry a training row:
//   metadata.messages                        -> a chat row (validated like a JSONL "messages" row)
//   metadata.prompt + metadata.completion    -> a prompt/completion row
//   neither                                  -> the text as plain language-model text
// factory/ does not import attribution/ (imports point the other way), so the document is typed
// here by the fields we read; a `DataDocument` fits it.
import { rowError, validateMessages, validateRow, type SourcedRow, type TrainingRow } from './trainingRows.ts';

/** The fields of a DataNet document this reads (a `DataDocument` fits). */
export interface TrainingDocument {
  docId: string;
  text: string;
  metadata: Record<string, unknown>;
}

/** One DataNet document as a training row; its id is the document id. */
export function documentRow(doc: TrainingDocument, param = 'datanet'): SourcedRow {
  const at = { where: `document ${doc.docId}`, param, details: { docId: doc.docId } };
  const bad = rowError(at);
  const meta = doc.metadata ?? {};
  let row: TrainingRow;
  if ('messages' in meta) {
    if ('prompt' in meta || 'completion' in meta)
      bad('metadata has either "messages" or "prompt"/"completion", not both');
    row = { kind: 'chat', messages: validateMessages(meta.messages, bad) };
  } else if ('prompt' in meta || 'completion' in meta) {
    row = validateRow({ prompt: meta.prompt, completion: meta.completion }, at);
  } else {
    if (typeof doc.text !== 'string' || doc.text === '') bad('the document has no text');
    row = { kind: 'text', text: doc.text };
  }
  return { id: doc.docId, row };
}
