// The four demo domains: one LoRA adapter each, trained on its DataNet's documents.
//
// Owners are anvil's well-known development accounts 1-4 (as DEMO_ADAPTERS in embeddedDefault.ts);
// contributors are accounts 5-16 of the same public test mnemonic, three per domain in this order
// (demoCorpus.test.ts re-derives them), so they can claim on a local chain in the demo.
import { contractsLawDomain } from './contractsLaw.ts';
import { cookingDomain } from './cooking.ts';
import type { DemoDomain } from './demoDomain.ts';
import { dermatologyDomain } from './dermatology.ts';
import { pythonCodeDomain } from './pythonCode.ts';

/** anvil's default test mnemonic (public; development accounts only). */
export const DEMO_MNEMONIC = 'test test test test test test test test test test test junk';
/** Address index of the first contributor of the first domain; the rest follow in order. */
export const FIRST_CONTRIBUTOR_INDEX = 5;

/** Builds the domains afresh (deterministic: equal on every call). */
export function buildDemoDomains(): DemoDomain[] {
  return [dermatologyDomain(), contractsLawDomain(), cookingDomain(), pythonCodeDomain()];
}

export const DEMO_DOMAINS: readonly DemoDomain[] = buildDemoDomains();
