// attribution/'s public door for other folders: a plain list of exports.

// --- records, signing, settlement ---
export type {
  Address,
  AttributionRecord,
  AttributionSource,
  Hex,
  RecordStatus,
  SignedRecord,
  SpanMatch,
  TrainingSource,
} from './records/recordTypes.ts';
export {
  PAYOUT_LEAF_ENCODING,
  RECORD_LEAF_ENCODING,
  RECORD_PRIMARY_TYPE,
  RECORD_TYPES,
  RECORD_V2_PRIMARY_TYPE,
  RECORD_V2_TYPES,
  recordVersion,
  ZERO_ADDRESS,
  ZERO_HASH,
} from './records/recordTypes.ts';
export { validateRecord } from './records/validateRecord.ts';
export {
  createRecordSigner,
  eip712Description,
  eip712Domain,
  recordDigest,
  recordPrimaryType,
  recoverRecordSigner,
  signRecord,
  verifyRecord,
} from './records/eip712.ts';
export type { Eip712Description, Eip712Domain, RecordSigner } from './records/eip712.ts';
export { loadOrCreateSignerKey, SIGNER_KEY_FILE } from './records/signerKey.ts';
export { Outbox } from './settlement/outbox.ts';
export { StorageGuard, STORAGE_RESERVE_BYTES } from './settlement/storageGuard.ts';
export type { EpochRow, StoredRecord } from './settlement/outbox.ts';
export { buildPayouts, buildRecordsTree, verifyLeaf, ZERO_ROOT } from './settlement/merkle.ts';
export { ANVIL_DEV_KEYS, freePort, startAnvil } from './settlement/anvilNode.ts';
export type { AnvilNode, AnvilOptions } from './settlement/anvilNode.ts';
export { createChainClient } from './settlement/chainClient.ts';
export type { ChainClient, ChainClientOptions } from './settlement/chainClient.ts';
export { Settlement } from './settlement/settlement.ts';
export type { EpochView, PayoutView, RecordView, SettlementLog, SettlementOptions } from './settlement/settlement.ts';
export { startSettlement, OUTBOX_FILE } from './settlement/startSettlement.ts';
export type { ContractInfo, SettlementConfig, SettlementHandle } from './settlement/startSettlement.ts';
export { runClaim } from './cli/claimCli.ts';
export { checkRecordView, runVerifyRecord } from './cli/verifyRecordCli.ts';
export type { RecordCheck } from './cli/verifyRecordCli.ts';
export type { ClaimResult } from './cli/claimCli.ts';
export { LoraLedgerSettlementAbi } from './settlement/contracts/generated/LoraLedgerSettlement.ts';
export { sampleRecord, sampleTrainingRecord, TEST_PAYEES, TEST_TRAINERS } from '../test/support/recordFixtures.ts'; // deterministic records for tests

// --- DataNets, retrieval, scoring, fees, record building, the request-path service ---
export {
  DatanetStore,
  documentId,
  DATANET_ID,
  type Datanet,
  type DataDocument,
  type NewDocument,
  type DocumentFormat,
  type DocumentState,
  DOCUMENT_STATES,
} from './data/datanetStore.ts';
// DataNet governance (owners, contributors, staked validators on the DataNetRegistry contract)
export {
  DataNetGovernance,
  type SignedRequest,
  type CreateInput,
  type BallotInput,
} from './data/governance/governance.ts';
export { GovernanceStore } from './data/governance/governanceStore.ts';
export { startGovernance, GOVERNANCE_FILE, type GovernanceHandle } from './data/governance/startGovernance.ts';
export { createRegistryClient, type RegistryClient, type RegistryParams } from './data/governance/registryClient.ts';
export * from './data/governance/governanceTrees.ts';
export { DataNetRegistryAbi } from './settlement/contracts/generated/DataNetRegistry.ts';
export {
  Retriever,
  MAX_TOP_K,
  MAX_RAG_DATANETS,
  type Passage,
  type EmbedFn,
  type RetrieveRequest,
} from './data/retrieve.ts';
export {
  augmentPrompt,
  augmentText,
  ragQuery,
  DEFAULT_RAG_TEMPLATE,
  PLAIN_RAG_TEMPLATE,
  type RagTemplate,
} from './data/augmentPrompt.ts';
export {
  planAttribution,
  combineScores,
  shapley,
  leaveOneOut,
  sharesPpm,
  adapterSharePpm,
  largestRemainder,
  MAX_EXACT_SHAPLEY_K,
  type AttributionMethod,
  type AttributionPlan,
} from './scoring/scoreSources.ts';
export {
  computeFee,
  feeConfigFromSettings,
  splitFee,
  validateFeeConfig,
  type FeeConfig,
  type FeeConfigInput,
  type FeeSplit,
  type FeeSplitPpm,
} from './scoring/fees.ts';
export { buildRecord, promptContext, recordIdOf, type BuildRecordInput } from './records/buildRecord.ts';
export {
  AttributionService,
  signAndAppend,
  type AttributionServiceOptions,
  type Scorer,
  type RecordSink,
  type RecordOutbox,
  type PromptTokenizer,
  type AttributeRequest,
  type CompletionInput,
  type PrepareInput,
} from './attributionService.ts';
export {
  parseAttributionRequest,
  DEFAULT_TOP_K,
  type AttributionMode,
  type AttributionResult,
  type PendingAttribution,
  type RagOptions,
  type SourceAttribution,
  type AdapterAttribution,
} from './attributionRequest.ts';
export { keccak256 } from './records/keccak256.ts';
export { checksumAddress, isValidAddress, normaliseAddress } from './records/address.ts';
export {
  startDataAttribution,
  DATANETS_FILE,
  SPANS_FILE,
  type DataAttribution,
  type DataAttributionOptions,
  type DataAttributionSettings,
} from './data/startDataAttribution.ts';
export {
  SpanIndex,
  workerSegmentMerger,
  type DocumentSpans,
  type SegmentMerger,
  type SpanDocument,
  type SpanIndexOptions,
} from './data/spanIndexStore.ts';
export { buildSegment, matchSegment, suffixArray, type Span, type SpanSegment } from './data/spanIndex.ts';
export {
  trainingShares,
  rollUp,
  UNIT_REPUTATION,
  type ContributorReputation,
  type TrainingCandidate,
  type TrainingShare,
} from './scoring/trainingShares.ts';
export type { TrainingExampleScore, TrainingInfluence } from './scoring/influence/trainingInfluence.ts';
export {
  attributeTraining,
  type ManifestExampleRef,
  type SpanMatcher,
  type TrainingAttribution,
} from './trainingSources.ts';
export {
  loadTokenEmbeddings,
  tokenEmbeddingEmbedder,
  EMBED_TOKENS,
  type TokenEmbeddingTable,
} from './data/tokenEmbeddings.ts';
