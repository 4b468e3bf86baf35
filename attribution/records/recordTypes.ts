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
//   sum(sources[i].amount) + adapterAmount <= fee
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

/** EIP-712 struct types (the `types` of eth_signTypedData_v4, without EIP712Domain). */
export const RECORD_TYPES = {
  AttributionRecord: [
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
  ],
  Source: [
    { name: 'docId', type: 'bytes32' },
    { name: 'datanet', type: 'string' },
    { name: 'contributor', type: 'address' },
    { name: 'sharePpm', type: 'uint32' },
    { name: 'amount', type: 'uint256' },
  ],
} as const;

export const RECORD_PRIMARY_TYPE = 'AttributionRecord' as const;

/** Merkle leaf of the per-epoch records tree: [recordId, EIP-712 digest]. */
export const RECORD_LEAF_ENCODING = ['bytes32', 'bytes32'] as const;
/** Merkle leaf of the cumulative payout tree: [account, cumulative amount]. */
export const PAYOUT_LEAF_ENCODING = ['address', 'uint256'] as const;

export type RecordStatus = 'pending' | 'settled';
