// The attribution record: the shared contract between record building (buildRecord) and signing,
// the outbox and settlement. It is the EIP-712 message the server signs per request.
//
// This file is pure data and types: no viem, no Fastify, no I/O.
//
// Wire conventions (JSON-safe, so records pass through HTTP, SQLite and worker threads unchanged):
//   Hex32     '0x' + 64 lowercase hex chars (bytes32)
//   Address   '0x' + 40 hex chars (any case; compared case-insensitively, emitted checksummed)
//   uint256   decimal string with no sign, no leading zeros ('0' for zero), e.g. '1500000000000000'
//   uint32/uint64  JS number (integer, >= 0, <= Number.MAX_SAFE_INTEGER)
//
// Money: amounts are in the chain's smallest unit (wei on the local anvil L2).
// Fee split invariant (checked by validateRecord):
//   sum(sources[i].amount) + sum(trainingSources[i].amount) + adapterAmount <= fee
// The remainder (fee - paid) stays with the server operator (model / protocol share) and is
// never paid on chain. Settlement pays exactly sources[i].amount to sources[i].contributor and
// adapterAmount to adapterOwner, aggregated per address across records and epochs.
//
// The epoch is NOT part of the signed message: the outbox assigns a record to an epoch when the
// epoch closes, and the Merkle proof against `recordsRoot(epoch)` on chain binds the two.

/** 0x-prefixed hex string. */
export type Hex = `0x${string}`;
/** 0x-prefixed 20-byte address. */
export type Address = `0x${string}`;

export const ZERO_ADDRESS: Address = '0x0000000000000000000000000000000000000000';

/** One retrieved passage (or other source) that contributed to the answer. */
export interface AttributionSource {
  /** bytes32 document id inside its DataNet (e.g. keccak256 of the DataNet id and document text). */
  docId: Hex;
  /** DataNet id the document belongs to (human-readable, e.g. 'medical-qa'). */
  datanet: string;
  /** Contributor's payout address. */
  contributor: Address;
  /** This source's share of the attribution mass, parts per million (0..1_000_000). */
  sharePpm: number;
  /** uint256 decimal string: what this source's contributor is paid for this request. */
  amount: string;
}

/** bytes32 zero: the docId of a training example that is not a DataNet document. */
export const ZERO_HASH: Hex = `0x${'0'.repeat(64)}`;

/** One training example of the serving adapter (its loraledger.json `training.examples`) paid for the answer. */
export interface TrainingSource {
  /** The manifest's example id (a DataNet document's doc_id, or an uploaded file row's id). */
  exampleId: string;
  /** bytes32 doc_id of the DataNet document, ZERO_HASH when the example is not one. */
  docId: Hex;
  /** DataNet id, '' when the example is not a DataNet document. */
  datanet: string;
  /** Contributor's payout address. */
  contributor: Address;
  /** The influence score (DataInf, nats) as a decimal string (JS Number#toString), '0' when none was computed. */
  influence: string;
  /** Contributor reputation, ppm (1_000_000 = 1, the value until DataNet governance supplies one). */
  reputationPpm: number;
  /** Longest span of the answer copied from the example, tokens (0: none of --span-min-tokens or more). */
  spanTokens: number;
  /** This example's share of the training pool, ppm. */
  sharePpm: number;
  /** uint256 decimal string paid to the contributor for this request. */
  amount: string;
}

/** A span of the answer that occurs verbatim in a document (infini-gram-style suffix-array match). */
export interface SpanMatch {
  /** bytes32 doc_id of the DataNet document. */
  docId: Hex;
  /** Token offset of the span in the answer. */
  answerStart: number;
  /** Token offset of the span in the document (the first occurrence of the longest match). */
  docStart: number;
  /** Tokens. */
  length: number;
}

/** Version 3: a validator of a DataNet the answer drew on, paid from the validators' pool pro rata to its stake. */
export interface ValidatorPayoutEntry {
  /** DataNet id the validator stakes on. */
  datanet: string;
  /** Validator's payout address (its staking address). */
  validator: Address;
  /** uint256 decimal string paid to the validator for this request. */
  amount: string;
}

/** The signed message. Field order here = field order in the EIP-712 type below. */
export interface AttributionRecord {
  /** bytes32 unique record id (e.g. keccak256(utf8(requestId))); primary key of the outbox. */
  recordId: Hex;
  /** The request id the server returned to the client (e.g. 'chatcmpl-...'). */
  requestId: string;
  /** Base model id that served the request. */
  model: string;
  /** Adapter id that served the request, '' for the bare base model. */
  adapter: string;
  /** bytes32 keccak256 of the full prompt context the model saw, retrieved passages included. */
  promptHash: Hex;
  /** bytes32 keccak256 of the generated output text (utf8). */
  outputHash: Hex;
  /** Attributed sources, in descending share order. May be empty. */
  sources: AttributionSource[];
  /** Adapter owner's payout address, ZERO_ADDRESS when there is no adapter or no owner. */
  adapterOwner: Address;
  /** The adapter's share of the fee, parts per million (0 when adapterOwner is zero). */
  adapterSharePpm: number;
  /** uint256 decimal string paid to adapterOwner for this request ('0' when none). */
  adapterAmount: string;
  /** uint256 decimal string: the whole fee charged for this request. */
  fee: string;
  /** uint64 unix seconds when the record was built. */
  timestamp: number;
  /** Attribution method and version, e.g. 'loo-logprob-v1', 'shapley-exact-v1'. */
  method: string;
  /**
   * Name of the API key that paid for the request (--api-keys-file name, or key-<sha256 prefix>),
   * for the operator's billing; never the key. Not one of the EIP-712 fields: not signed, not
   * settled on chain. Absent when the server runs without API keys.
   */
  payer?: string;
  /** Version 2: the serving adapter's training examples paid for this answer, in descending share order. */
  trainingSources?: TrainingSource[];
  /** Version 2: the longest verbatim spans the answer shares with passages and training documents. */
  spans?: SpanMatch[];
  /** Version 3 (version 2's fields too): validators of the DataNets used, paid (docs/datanets.md). */
  validators?: ValidatorPayoutEntry[];
}

/** 3 when the record pays validators (AttributionRecordV3), 2 when it carries training sources (AttributionRecordV2), else 1. */
export function recordVersion(r: Pick<AttributionRecord, 'trainingSources' | 'validators'>): 1 | 2 | 3 {
  if (r.validators !== undefined) return 3;
  return r.trainingSources === undefined ? 1 : 2;
}

/** A record with the server's EIP-712 signature. */
export interface SignedRecord {
  record: AttributionRecord;
  /** Address that signed (the server's settlement key). */
  signer: Address;
  /** 65-byte secp256k1 signature, 0x-hex. */
  signature: Hex;
  /** bytes32 EIP-712 digest (hashTypedData) of the record under the server's domain. */
  digest: Hex;
}

const RECORD_V1_FIELDS = [
  { name: 'recordId', type: 'bytes32' },
  { name: 'requestId', type: 'string' },
  { name: 'model', type: 'string' },
  { name: 'adapter', type: 'string' },
  { name: 'promptHash', type: 'bytes32' },
  { name: 'outputHash', type: 'bytes32' },
  { name: 'sources', type: 'Source[]' },
  { name: 'adapterOwner', type: 'address' },
  { name: 'adapterSharePpm', type: 'uint32' },
  { name: 'adapterAmount', type: 'uint256' },
  { name: 'fee', type: 'uint256' },
  { name: 'timestamp', type: 'uint64' },
  { name: 'method', type: 'string' },
] as const;

const SOURCE_FIELDS = [
  { name: 'docId', type: 'bytes32' },
  { name: 'datanet', type: 'string' },
  { name: 'contributor', type: 'address' },
  { name: 'sharePpm', type: 'uint32' },
  { name: 'amount', type: 'uint256' },
] as const;

/** EIP-712 struct types of version 1 (the `types` of eth_signTypedData_v4, without EIP712Domain). */
export const RECORD_TYPES = {
  AttributionRecord: RECORD_V1_FIELDS,
  Source: SOURCE_FIELDS,
} as const;

export const RECORD_PRIMARY_TYPE = 'AttributionRecord' as const;

/** EIP-712 struct types of version 2: version 1's fields, then training sources and spans. */
export const RECORD_V2_TYPES = {
  AttributionRecordV2: [
    ...RECORD_V1_FIELDS,
    { name: 'trainingSources', type: 'TrainingSource[]' },
    { name: 'spans', type: 'Span[]' },
  ],
  Source: SOURCE_FIELDS,
  TrainingSource: [
    { name: 'exampleId', type: 'string' },
    { name: 'docId', type: 'bytes32' },
    { name: 'datanet', type: 'string' },
    { name: 'contributor', type: 'address' },
    { name: 'influence', type: 'string' },
    { name: 'reputationPpm', type: 'uint32' },
    { name: 'spanTokens', type: 'uint32' },
    { name: 'sharePpm', type: 'uint32' },
    { name: 'amount', type: 'uint256' },
  ],
  Span: [
    { name: 'docId', type: 'bytes32' },
    { name: 'answerStart', type: 'uint32' },
    { name: 'docStart', type: 'uint32' },
    { name: 'length', type: 'uint32' },
  ],
} as const;

export const RECORD_V2_PRIMARY_TYPE = 'AttributionRecordV2' as const;

/** EIP-712 struct types of version 3: version 2's fields, then the validators paid. */
export const RECORD_V3_TYPES = {
  AttributionRecordV3: [...RECORD_V2_TYPES.AttributionRecordV2, { name: 'validators', type: 'Validator[]' }],
  Source: SOURCE_FIELDS,
  TrainingSource: RECORD_V2_TYPES.TrainingSource,
  Span: RECORD_V2_TYPES.Span,
  Validator: [
    { name: 'datanet', type: 'string' },
    { name: 'validator', type: 'address' },
    { name: 'amount', type: 'uint256' },
  ],
} as const;

export const RECORD_V3_PRIMARY_TYPE = 'AttributionRecordV3' as const;

/** Merkle leaf of the per-epoch records tree: [recordId, EIP-712 digest]. */
export const RECORD_LEAF_ENCODING = ['bytes32', 'bytes32'] as const;
/** Merkle leaf of the cumulative payout tree: [account, cumulative amount]. */
export const PAYOUT_LEAF_ENCODING = ['address', 'uint256'] as const;

export type RecordStatus = 'pending' | 'settled';
