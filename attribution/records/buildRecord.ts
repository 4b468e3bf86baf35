// Builds the AttributionRecord (recordTypes.ts, the EIP-712 message) for one request from the
// attribution results and the fee split. Pure: hashing with this folder's keccak256, no viem.
//
//   recordId    = keccak256(utf8(replicaId + '/' + requestId)) on a replica (--replica-id), else
//                 keccak256(utf8(requestId)): ids from different replicas never collide, and the
//                 replica a record names (its view's `replica`) is bound to the signed recordId
//   promptHash  = keccak256(utf8(promptContext))   the full prompt the model saw: promptContext(parts),
//                 or the served ids as JSON "[1,2,3]" for token-id prompts
//   outputHash  = keccak256(utf8(outputText))
//   sources     sorted by share desc, then doc_id asc; amounts from the fee split
//   trainingSources  (version 2) sorted by share desc, then example id asc; amounts from fee.training
//   spans            (version 2) longest first, then doc_id, then answer offset; at most MAX_RECORD_SPANS
//   addresses   EIP-55 checksummed
//   validators       (version 3) from fee.validators, sorted by DataNet then validator address
// Given `training` (even with no entries) the record is version 2; without it, version 1; a fee
// split with `validators` (the validators' pool, docs/datanets.md) makes it version 3.

import { checksumAddress } from './address.ts';
import type { FeeSplit } from '../scoring/fees.ts';
import { keccak256 } from './keccak256.ts';
import {
  ZERO_ADDRESS,
  type Address,
  type AttributionRecord,
  type Hex,
  type SpanMatch,
  type TrainingSource,
} from './recordTypes.ts';
import type { PromptParts } from '../../kernels/model/index.ts';

export interface RecordSourceInput {
  docId: Hex;
  datanet: string;
  contributor: Address;
  sharePpm: number;
}

/** A training source before the fee split (amount comes from fee.training, same order). */
export type TrainingSourceInput = Omit<TrainingSource, 'amount'>;

/** Spans kept in a record (the longest); the response and the audit route can report more. */
export const MAX_RECORD_SPANS = 16;

export interface BuildRecordInput {
  requestId: string;
  /** The replica serving the request (--replica-id); the record id carries it. */
  replicaId?: string;
  /** Name of the API key that paid (never the key); kept beside the signed fields, see AttributionRecord.payer. */
  payer?: string;
  model: string;
  /** null for the bare base model. */
  adapter: { id: string; owner: Address | null; sharePpm: number } | null;
  /** Canonical text of the prompt the model saw, passages included (promptContext()). */
  promptContext: string;
  outputText: string;
  /** In the same order as fee.sources. */
  sources: RecordSourceInput[];
  fee: FeeSplit;
  /** Version 2: training sources in the same order as fee.training, and the spans found. */
  training?: { sources: TrainingSourceInput[]; spans: SpanMatch[] };
  /** Unix seconds. */
  timestamp: number;
  method: string;
}

/** keccak256(utf8(replicaId + '/' + requestId)), or keccak256(utf8(requestId)) without a replica id. */
export function recordIdOf(requestId: string, replicaId?: string): Hex {
  return keccak256(replicaId === undefined ? requestId : `${replicaId}/${requestId}`);
}

/** Canonical text of a prompt: the completion prompt itself, or the chat messages as JSON [{role, content}]. */
export function promptContext(prompt: PromptParts): string {
  return prompt.kind === 'completion'
    ? prompt.prompt
    : JSON.stringify(prompt.messages.map((m) => ({ role: m.role, content: m.content })));
}

export function buildRecord(input: BuildRecordInput): AttributionRecord {
  if (input.sources.length !== input.fee.sources.length) {
    throw new RangeError(`buildRecord: ${input.sources.length} sources but ${input.fee.sources.length} source amounts`);
  }
  const sources = input.sources
    .map((s, i) => ({
      docId: s.docId,
      datanet: s.datanet,
      contributor: checksumAddress(s.contributor),
      sharePpm: s.sharePpm,
      amount: input.fee.sources[i]!.toString(),
    }))
    .sort((a, b) => b.sharePpm - a.sharePpm || compare(a.docId, b.docId));
  const owner = input.adapter?.owner ?? null;
  const record: AttributionRecord = {
    recordId: recordIdOf(input.requestId, input.replicaId),
    requestId: input.requestId,
    model: input.model,
    adapter: input.adapter?.id ?? '',
    promptHash: keccak256(input.promptContext),
    outputHash: keccak256(input.outputText),
    sources,
    adapterOwner: owner === null ? ZERO_ADDRESS : checksumAddress(owner),
    adapterSharePpm: owner === null ? 0 : input.adapter!.sharePpm,
    adapterAmount: owner === null ? '0' : input.fee.adapter.toString(),
    fee: input.fee.fee.toString(),
    timestamp: input.timestamp,
    method: input.method,
    ...(input.payer === undefined ? {} : { payer: input.payer }),
  };
  if (input.training === undefined && input.fee.validators === undefined) return record;
  const { sources: training, spans } = input.training ?? { sources: [], spans: [] };
  if (training.length !== input.fee.training.length) {
    throw new RangeError(
      `buildRecord: ${training.length} training sources but ${input.fee.training.length} training amounts`,
    );
  }
  record.trainingSources = training
    .map((t, i) => ({ ...t, contributor: checksumAddress(t.contributor), amount: input.fee.training[i]!.toString() }))
    .sort((a, b) => b.sharePpm - a.sharePpm || compare(a.exampleId, b.exampleId));
  record.spans = [...spans]
    .sort((a, b) => b.length - a.length || compare(a.docId, b.docId) || a.answerStart - b.answerStart)
    .slice(0, MAX_RECORD_SPANS)
    .map((s) => ({ docId: s.docId, answerStart: s.answerStart, docStart: s.docStart, length: s.length }));
  if (input.fee.validators !== undefined)
    record.validators = input.fee.validators
      .map((v) => ({ datanet: v.datanet, validator: checksumAddress(v.validator), amount: v.amount.toString() }))
      .sort((a, b) => compare(a.datanet, b.datanet) || compare(a.validator.toLowerCase(), b.validator.toLowerCase()));
  return record;
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
