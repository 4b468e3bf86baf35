// attribution/'s public door for other folders: a plain list of exports.

// --- records, signing, settlement (H5) ---
export type { Address, AttributionRecord, AttributionSource, Hex, RecordStatus, SignedRecord } from './recordTypes.ts';
export { PAYOUT_LEAF_ENCODING, RECORD_LEAF_ENCODING, RECORD_PRIMARY_TYPE, RECORD_TYPES, ZERO_ADDRESS } from './recordTypes.ts';
export { validateRecord } from './validateRecord.ts';
export { createRecordSigner, eip712Description, eip712Domain, recordDigest, recoverRecordSigner, signRecord, verifyRecord } from './eip712.ts';
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
export type { EpochView, PayoutView, RecordView, SettlementLog, SettlementOptions } from './settlement.ts';
export { startSettlement, OUTBOX_FILE } from './startSettlement.ts';
export type { ContractInfo, SettlementConfig, SettlementHandle } from './startSettlement.ts';
export { runClaim } from './claimCli.ts';
export { checkRecordView, runVerifyRecord } from './verifyRecordCli.ts';
export type { RecordCheck } from './verifyRecordCli.ts';
export type { ClaimResult } from './claimCli.ts';
export { LoraLedgerSettlementAbi } from './contracts/generated/LoraLedgerSettlement.ts';
export { sampleRecord, TEST_PAYEES } from './recordFixtures.ts'; // deterministic records for tests

// --- DataNets, retrieval, scoring, fees, record building, the request-path service (H6) ---
export { DatanetStore, documentId, DATANET_ID, type Datanet, type DataDocument, type NewDocument } from './datanetStore.ts';
export { Bm25Index, bm25Search, tokenize, BM25_DEFAULTS, type Bm25Params, type Bm25Hit } from './bm25.ts';
export { Retriever, cosine, MAX_TOP_K, MAX_RAG_DATANETS, type Passage, type EmbedFn, type RetrieveRequest } from './retrieve.ts';
export { augmentPrompt, augmentText, ragQuery, DEFAULT_RAG_TEMPLATE, PLAIN_RAG_TEMPLATE, type RagTemplate, type PromptParts, type ChatMessage } from './augmentPrompt.ts';
export { planAttribution, combineScores, shapley, leaveOneOut, sharesPpm, adapterSharePpm, largestRemainder, MAX_EXACT_SHAPLEY_K, type AttributionMethod, type AttributionPlan } from './scoreSources.ts';
export { computeFee, splitFee, validateFeeConfig, type FeeConfig, type FeeConfigInput, type FeeSplit, type FeeSplitPpm } from './fees.ts';
export { buildRecord, promptContext, recordIdOf, type BuildRecordInput } from './buildRecord.ts';
export { AttributionService, signAndAppend, type AttributionServiceOptions, type Scorer, type RecordSink, type RecordOutbox, type PromptTokenizer, type AttributeRequest, type CompletionInput, type PrepareInput } from './attributionService.ts';
export { parseAttributionRequest, DEFAULT_TOP_K, type AttributionMode, type AttributionResult, type PendingAttribution, type RagOptions, type SourceAttribution, type AdapterAttribution } from './attributionRequest.ts';
export { keccak256 } from './keccak256.ts';
export { checksumAddress, isValidAddress, normaliseAddress } from './address.ts';
export { startDataAttribution, DATANETS_FILE, type DataAttribution, type DataAttributionOptions, type DataAttributionSettings } from './startDataAttribution.ts';
export { loadTokenEmbeddings, tokenEmbeddingEmbedder, EMBED_TOKENS, type TokenEmbeddingTable } from './tokenEmbeddings.ts';
