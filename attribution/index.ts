// attribution/'s public door for other folders: a plain list of exports.

// --- records, signing, settlement (H5) ---
export type { Address, AttributionRecord, AttributionSource, Hex, RecordStatus, SignedRecord } from './recordTypes.ts';
export { PAYOUT_LEAF_ENCODING, RECORD_LEAF_ENCODING, RECORD_PRIMARY_TYPE, RECORD_TYPES, ZERO_ADDRESS } from './recordTypes.ts';
export { validateRecord } from './validateRecord.ts';
export { createRecordSigner, eip712Description, eip712Domain, recordDigest, recoverRecordSigner, verifyRecord } from './eip712.ts';
export type { Eip712Description, Eip712Domain, RecordSigner } from './eip712.ts';
export { loadOrCreateSignerKey, SIGNER_KEY_FILE } from './signerKey.ts';
export { Outbox } from './outbox.ts';
export type { EpochRow, StoredRecord } from './outbox.ts';
export { buildPayouts, buildRecordsTree, verifyLeaf, ZERO_ROOT } from './merkle.ts';
export { ANVIL_DEV_KEYS, startAnvil } from './anvilNode.ts';
export type { AnvilNode, AnvilOptions } from './anvilNode.ts';
export { createChainClient } from './chainClient.ts';
export type { ChainClient, ChainClientOptions } from './chainClient.ts';
export { Settlement } from './settlement.ts';
export type { PayoutView, RecordView, SettlementLog, SettlementOptions } from './settlement.ts';
export { startSettlement, OUTBOX_FILE } from './startSettlement.ts';
export type { ContractInfo, SettlementConfig, SettlementHandle } from './startSettlement.ts';
export { settlementRoutes } from './settlementRoutes.ts';
export type { SettlementRoutesOptions } from './settlementRoutes.ts';
export { LoraLedgerSettlementAbi } from './contracts/generated/LoraLedgerSettlement.ts';
