// Per-request fee and its split between the base model owner (the server operator), the adapter
// owner and the data contributors. Integer arithmetic only (bigint, chain smallest units = wei).
//
//   fee          = ceil((promptTokens * promptPricePer1k + completionTokens * completionPricePer1k) / 1000)
//   adapterPool  = floor(fee * adapterPpm / 1e6)
//   dataPool     = floor(fee * dataPpm / 1e6)
//   adapter      = floor(adapterPool * adapterSharePpm / 1e6)                 (0 without an adapter)
//   source i     = floor(dataPool * sharePpm_i / 1e6) + 1 for the (dataPool - sum floors) sources
//                  with the largest remainders (ties: lower index)           (all 0 when no share > 0)
//   model        = fee - adapter - sum(source i)     (everything unearned stays with the operator)
// So sum(sources) + adapter <= fee always, and the operator's cut is at least modelPpm.

import { LoraledgerError } from '../../common/index.ts';

export const PPM = 1_000_000;

/** Fractions of each fee, parts per million; must sum to exactly 1_000_000. */
export interface FeeSplitPpm {
  /** Base model owner (the operator; never paid on chain, it keeps what is not paid out). */
  model: number;
  /** Adapter owner's pool (earned by the adapter's measured influence). */
  adapter: number;
  /** Data contributors' pool (divided by their sources' share_ppm). */
  data: number;
}

export interface FeeConfig {
  /** Smallest units per 1000 prompt tokens. */
  promptPricePer1k: bigint;
  /** Smallest units per 1000 completion tokens. */
  completionPricePer1k: bigint;
  split: FeeSplitPpm;
}

export interface FeeConfigInput {
  /** Decimal string (or safe integer) of smallest units per 1000 prompt tokens. */
  promptPricePer1k: string | number | bigint;
  completionPricePer1k: string | number | bigint;
  split: FeeSplitPpm;
}

function fail(message: string): never {
  throw new LoraledgerError('config_invalid', message);
}

function price(name: string, v: string | number | bigint): bigint {
  if (typeof v === 'bigint' && v >= 0n) return v;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === 'string' && /^(0|[1-9][0-9]{0,70})$/.test(v)) return BigInt(v);
  return fail(
    `${name} must be a non-negative integer number of smallest units (decimal string), got ${JSON.stringify(String(v))}`,
  );
}

/** Returns the frozen fee config or throws config_invalid naming the field. */
export function validateFeeConfig(input: FeeConfigInput): Readonly<FeeConfig> {
  const split = input.split;
  for (const k of ['model', 'adapter', 'data'] as const) {
    const v = split?.[k];
    if (!Number.isInteger(v) || v < 0 || v > PPM)
      fail(`fee split ${k} must be an integer in [0, ${PPM}] (ppm), got ${String(v)}`);
  }
  const sum = split.model + split.adapter + split.data;
  if (sum !== PPM)
    fail(
      `fee split fractions must sum to ${PPM} ppm (model ${split.model} + adapter ${split.adapter} + data ${split.data} = ${sum})`,
    );
  return Object.freeze({
    promptPricePer1k: price('promptPricePer1k', input.promptPricePer1k),
    completionPricePer1k: price('completionPricePer1k', input.completionPricePer1k),
    split: Object.freeze({ ...split }),
  });
}

/** The whole fee for a request, rounded up to the next smallest unit. */
export function computeFee(usage: { promptTokens: number; completionTokens: number }, config: FeeConfig): bigint {
  for (const [k, v] of Object.entries(usage)) {
    if (!Number.isSafeInteger(v) || v < 0)
      throw new RangeError(`computeFee: ${k} must be a non-negative integer, got ${v}`);
  }
  const num =
    BigInt(usage.promptTokens) * config.promptPricePer1k + BigInt(usage.completionTokens) * config.completionPricePer1k;
  return (num + 999n) / 1000n;
}

export interface FeeSplit {
  fee: bigint;
  /** Kept by the operator (base model owner). */
  model: bigint;
  /** Paid to the adapter owner. */
  adapter: bigint;
  /** Paid per source, in the order of the given shares. */
  sources: bigint[];
}

/** Splits `fee`; `adapterSharePpm` null = no adapter (its pool stays with the model owner). */
export function splitFee(options: {
  fee: bigint;
  config: FeeConfig;
  adapterSharePpm: number | null;
  sourceSharesPpm: readonly number[];
}): FeeSplit {
  const { fee, config, adapterSharePpm, sourceSharesPpm } = options;
  if (fee < 0n) throw new RangeError(`splitFee: fee must be >= 0, got ${fee}`);
  const ppm = BigInt(PPM);
  const adapterPool = (fee * BigInt(config.split.adapter)) / ppm;
  const dataPool = (fee * BigInt(config.split.data)) / ppm;
  const adapter =
    adapterSharePpm === null ? 0n : (adapterPool * BigInt(checkPpm(adapterSharePpm, 'adapterSharePpm'))) / ppm;
  const shares = sourceSharesPpm.map((s, i) => BigInt(checkPpm(s, `sourceSharesPpm[${i}]`)));
  const total = shares.reduce((a, b) => a + b, 0n);
  if (total > ppm) throw new RangeError(`splitFee: source shares sum to ${total} ppm, more than ${PPM}`);
  const sources = shares.map((s) => (dataPool * s) / ppm);
  if (total === ppm) {
    let left = dataPool - sources.reduce((a, b) => a + b, 0n);
    const order = shares
      .map((s, i) => ({ i, r: (dataPool * s) % ppm }))
      .filter((o) => shares[o.i]! > 0n)
      .sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
    for (let j = 0; left > 0n; j = (j + 1) % order.length, left--) sources[order[j]!.i]! += 1n;
  }
  const paid = adapter + sources.reduce((a, b) => a + b, 0n);
  return { fee, model: fee - paid, adapter, sources };
}

function checkPpm(v: number, name: string): number {
  if (!Number.isInteger(v) || v < 0 || v > PPM)
    throw new RangeError(`splitFee: ${name} must be an integer in [0, ${PPM}], got ${v}`);
  return v;
}

/** The fee config from the server config's flat fields (server/configSchema.ts). */
export function feeConfigFromSettings(c: {
  promptPricePer1k: string;
  completionPricePer1k: string;
  feeModelPpm: number;
  feeAdapterPpm: number;
  feeDataPpm: number;
}): Readonly<FeeConfig> {
  return validateFeeConfig({
    promptPricePer1k: c.promptPricePer1k,
    completionPricePer1k: c.completionPricePer1k,
    split: { model: c.feeModelPpm, adapter: c.feeAdapterPpm, data: c.feeDataPpm },
  });
}
