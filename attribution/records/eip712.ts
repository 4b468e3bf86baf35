// EIP-712 signing and verification of attribution records (the viem edge for records).
//
// Domain {name: 'loraledger', version: '1', chainId, verifyingContract}: binding the chain id and
// the settlement contract means a record signed for one deployment does not verify for another.
//
//   digest    = hashTypedData(domain, types(v), primaryType(v), record)   v = recordVersion(record):
//               1 -> RECORD_TYPES / 'AttributionRecord' (records without training sources, as signed before)
//               2 -> RECORD_V2_TYPES / 'AttributionRecordV2' (+ trainingSources, spans)
//   signature = secp256k1 sign(digest) with the server key (65 bytes r||s||v)
//   signer    = ecrecover(digest, signature)
//
// Core code uses the `RecordSigner` interface and never imports viem.

import { hashTypedData, recoverTypedDataAddress, getAddress, isAddressEqual } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { AttributionError } from '../../common/index.ts';
import {
  RECORD_PRIMARY_TYPE,
  RECORD_TYPES,
  RECORD_V2_PRIMARY_TYPE,
  RECORD_V2_TYPES,
  RECORD_V3_PRIMARY_TYPE,
  RECORD_V3_TYPES,
  recordVersion,
} from './recordTypes.ts';
import type { Address, AttributionRecord, Hex, SignedRecord } from './recordTypes.ts';
import { validateRecord } from './validateRecord.ts';

export interface Eip712Domain {
  name: 'loraledger';
  version: '1';
  chainId: number;
  verifyingContract: Address;
}

/**
 * What `GET /v1/attribution/eip712` returns: everything eth_signTypedData_v4 needs but the message.
 * `types` holds both versions' structs; `primaryType` is the one new records are signed under, and
 * `primaryTypes` names each version's (a record is version 2 when it has `trainingSources`).
 */
export interface Eip712Description {
  domain: Eip712Domain;
  types: Record<string, ReadonlyArray<{ name: string; type: string }>>;
  primaryType: typeof RECORD_V2_PRIMARY_TYPE;
  primaryTypes: {
    '1': typeof RECORD_PRIMARY_TYPE;
    '2': typeof RECORD_V2_PRIMARY_TYPE;
    '3': typeof RECORD_V3_PRIMARY_TYPE;
  };
}

/** Signs records with the server key. */
export interface RecordSigner {
  readonly address: Address;
  readonly domain: Eip712Domain;
  /** Validates, hashes and signs; the record is returned unchanged inside the SignedRecord. */
  sign(record: AttributionRecord): Promise<SignedRecord>;
}

export function eip712Domain(chainId: number, verifyingContract: Address): Eip712Domain {
  return { name: 'loraledger', version: '1', chainId, verifyingContract: getAddress(verifyingContract) };
}

export function eip712Description(domain: Eip712Domain): Eip712Description {
  return {
    domain,
    types: {
      EIP712Domain: [
        { name: 'name', type: 'string' },
        { name: 'version', type: 'string' },
        { name: 'chainId', type: 'uint256' },
        { name: 'verifyingContract', type: 'address' },
      ],
      ...RECORD_TYPES,
      ...RECORD_V2_TYPES,
      ...RECORD_V3_TYPES,
    },
    primaryType: RECORD_V2_PRIMARY_TYPE,
    primaryTypes: { '1': RECORD_PRIMARY_TYPE, '2': RECORD_V2_PRIMARY_TYPE, '3': RECORD_V3_PRIMARY_TYPE },
  };
}

/** The primary type a record is signed under: its version's (description.primaryTypes[version]). */
export function recordPrimaryType(
  record: AttributionRecord,
): typeof RECORD_PRIMARY_TYPE | typeof RECORD_V2_PRIMARY_TYPE | typeof RECORD_V3_PRIMARY_TYPE {
  return ([RECORD_PRIMARY_TYPE, RECORD_V2_PRIMARY_TYPE, RECORD_V3_PRIMARY_TYPE] as const)[recordVersion(record) - 1]!;
}

/** The record as viem's typed-data message (uint256/uint64 as bigint). */
function toMessage(r: AttributionRecord) {
  const { trainingSources, spans, validators, payer: _payer, ...v1 } = r; // payer is not signed
  const message = {
    ...v1,
    sources: r.sources.map((s) => ({ ...s, amount: BigInt(s.amount) })),
    adapterAmount: BigInt(r.adapterAmount),
    fee: BigInt(r.fee),
    timestamp: BigInt(r.timestamp),
  };
  if (trainingSources === undefined && validators === undefined) return message;
  const v2 = {
    ...message,
    trainingSources: (trainingSources ?? []).map((t) => ({ ...t, amount: BigInt(t.amount) })),
    spans: spans ?? [],
  };
  return validators === undefined
    ? v2
    : { ...v2, validators: validators.map((v) => ({ ...v, amount: BigInt(v.amount) })) };
}

/** viem's typed-data argument (the generic form: the record's version picks the types at run time). */
type RecordTypedData = Parameters<typeof hashTypedData>[0];

function typedData(record: AttributionRecord, domain: Eip712Domain): RecordTypedData {
  const version = recordVersion(record);
  return {
    domain,
    types: ([RECORD_TYPES, RECORD_V2_TYPES, RECORD_V3_TYPES] as const)[version - 1],
    primaryType: recordPrimaryType(record),
    message: toMessage(record),
  } as RecordTypedData;
}

/** bytes32 EIP-712 digest of a record under `domain`. */
export function recordDigest(record: AttributionRecord, domain: Eip712Domain): Hex {
  return hashTypedData(typedData(validateRecord(record), domain));
}

/** A RecordSigner over a raw secp256k1 private key (0x + 64 hex). The key is never exposed. */
export function createRecordSigner(privateKey: Hex, domain: Eip712Domain): RecordSigner {
  const account = privateKeyToAccount(privateKey);
  return {
    address: account.address,
    domain,
    async sign(record) {
      // signTypedData would hash the typed data again: sign the digest (the same signature)
      const digest = recordDigest(record, domain);
      const signature = await account.sign({ hash: digest });
      return { record, signer: account.address, signature, digest };
    },
  };
}

/** One-off signing with a raw key (createRecordSigner is the reusable form). */
export function signRecord(record: AttributionRecord, privateKey: Hex, domain: Eip712Domain): Promise<SignedRecord> {
  return createRecordSigner(privateKey, domain).sign(record);
}

/** Recovers the address that signed `signed.record` under `domain` (ignores `signed.signer`). */
export async function recoverRecordSigner(
  signed: Pick<SignedRecord, 'record' | 'signature'>,
  domain: Eip712Domain,
): Promise<Address> {
  try {
    return await recoverTypedDataAddress({
      ...typedData(validateRecord(signed.record), domain),
      signature: signed.signature,
    });
  } catch (cause) {
    if (cause instanceof AttributionError) throw cause;
    throw new AttributionError('record_invalid', 'attribution record signature is malformed', {
      param: 'signature',
      cause,
    });
  }
}

/** True when the record verifies: valid shape, digest matches, and signed by `expectedSigner`. */
export async function verifyRecord(
  signed: SignedRecord,
  domain: Eip712Domain,
  expectedSigner: Address = signed.signer,
): Promise<boolean> {
  try {
    if (recordDigest(signed.record, domain) !== signed.digest) return false;
    const recovered = await recoverRecordSigner(signed, domain);
    return isAddressEqual(recovered, expectedSigner);
  } catch (err) {
    if (err instanceof AttributionError) return false;
    throw err;
  }
}
