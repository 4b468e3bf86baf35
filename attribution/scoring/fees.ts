// Per-request fee and its split between the base model owner (the server operator), the adapter
// owner and the data contributors. Integer arithmetic only (bigint, chain smallest units = wei).
//
//   fee          = ceil((promptTokens * promptPricePer1k + completionTokens * completionPricePer1k) / 1000)
//   adapterPool  = floor(fee * adapterPpm / 1e6)
//   dataPool     = floor(fee * dataPpm / 1e6)
//   earned       = floor(adapterPool * adapterSharePpm / 1e6)  what the adapter earned (0 without an adapter)
//   trainingPool = floor(earned * trainingPpm / 1e6)   when training shares sum to 1e6, else 0
//   training i   = splitPool(trainingPool, trainingSharePpm)  (sums to trainingPool exactly)
//   adapter      = earned - trainingPool when the adapter has an owner, else 0
//   source i     = splitPool(dataPool, sharePpm)        (sums to dataPool exactly when shares sum to 1e6)
//   splitPool(p, s): floor(p * s_i / 1e6) + 1 for the (p - sum floors) entries with the largest
//                  remainders (ties: lower index); all 0 when no share > 0
//   validatorPool = floor(fee * validatorsPpm / 1e6)    (0 unless the split names validators)
//   datanet d    = splitPool(validatorPool, sum of share_ppm of d's sources)   per DataNet used
//   validator v  = d's part pro rata to v's stake in d (largest remainder; exact); a DataNet without
//                  staked validators (open DataNets) pays nothing: its part stays with the operator
//   model        = fee - adapter - sum(source i) - sum(training i) - sum(validator v)   (everything unearned stays with the operator)
// So sum(sources) + sum(training) + adapter <= fee always, and the operator's cut is at least modelPpm.
// The adapter's earnings are shared between its owner and the contributors of its training examples
// (--fee-training-ppm of them, default half); an adapter without an owner still pays its trainers.

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
  /** Validators of the DataNets used (divided by DataNet share, then pro rata to stake). Default 0. */
  validators?: number;
}

/** Validators of one DataNet and their stakes (wei), as read from the DataNet registry. */
export type ValidatorStakes = ReadonlyMap<string, ReadonlyArray<{ validator: string; stake: bigint }>>;

export interface ValidatorPayout {
  datanet: string;
  validator: string;
  amount: bigint;
}

/** Default --fee-training-ppm: half of what an adapter earns goes to its training contributors. */
export const DEFAULT_TRAINING_PPM = 500_000;

export interface FeeConfig {
  /** Smallest units per 1000 prompt tokens. */
  promptPricePer1k: bigint;
  /** Smallest units per 1000 completion tokens. */
  completionPricePer1k: bigint;
  split: FeeSplitPpm;
  /** Fraction of what the adapter earns that goes to its training contributors, ppm. */
  trainingPpm: number;
}

export interface FeeConfigInput {
  /** Decimal string (or safe integer) of smallest units per 1000 prompt tokens. */
  promptPricePer1k: string | number | bigint;
  completionPricePer1k: string | number | bigint;
  split: FeeSplitPpm;
  /** Default DEFAULT_TRAINING_PPM. */
  trainingPpm?: number;
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
  for (const k of ['model', 'adapter', 'data', 'validators'] as const) {
    const v = k === 'validators' ? (split?.validators ?? 0) : split?.[k];
    if (!Number.isInteger(v) || v < 0 || v > PPM)
      fail(`fee split ${k} must be an integer in [0, ${PPM}] (ppm), got ${String(v)}`);
  }
  const sum = split.model + split.adapter + split.data + (split.validators ?? 0);
  if (sum !== PPM)
    fail(
      `fee split fractions must sum to ${PPM} ppm (model ${split.model} + adapter ${split.adapter} + data ${split.data}${split.validators ? ` + validators ${split.validators}` : ''} = ${sum})`,
    );
  const trainingPpm = input.trainingPpm ?? DEFAULT_TRAINING_PPM;
  if (!Number.isInteger(trainingPpm) || trainingPpm < 0 || trainingPpm > PPM)
    fail(`fee training share must be an integer in [0, ${PPM}] (ppm of the adapter's earnings), got ${trainingPpm}`);
  return Object.freeze({
    promptPricePer1k: price('promptPricePer1k', input.promptPricePer1k),
    completionPricePer1k: price('completionPricePer1k', input.completionPricePer1k),
    split: Object.freeze({ ...split }),
    trainingPpm,
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
  /** Paid per training example, in the order of the given training shares. */
  training: bigint[];
  /** Paid to validators of the DataNets used; present when `validatorStakes` was given. */
  validators?: ValidatorPayout[];
}

/** Splits `fee`; `adapterSharePpm` null = no adapter (its pool stays with the model owner). */
export function splitFee(options: {
  fee: bigint;
  config: FeeConfig;
  adapterSharePpm: number | null;
  sourceSharesPpm: readonly number[];
  /** Shares of the adapter's training examples (sum 1e6, or all 0: nothing to pay). Default none. */
  trainingSharesPpm?: readonly number[];
  /** false: the adapter has no owner to pay; its owner part stays with the model owner. Default true. */
  adapterOwnerPaid?: boolean;
  /** The DataNet of each source (same order as sourceSharesPpm) and each DataNet's validator stakes. */
  validatorStakes?: { sourceDatanets: readonly string[]; stakes: ValidatorStakes };
}): FeeSplit {
  const { fee, config, adapterSharePpm, sourceSharesPpm } = options;
  if (fee < 0n) throw new RangeError(`splitFee: fee must be >= 0, got ${fee}`);
  const ppm = BigInt(PPM);
  const adapterPool = (fee * BigInt(config.split.adapter)) / ppm;
  const dataPool = (fee * BigInt(config.split.data)) / ppm;
  const earned =
    adapterSharePpm === null ? 0n : (adapterPool * BigInt(checkPpm(adapterSharePpm, 'adapterSharePpm'))) / ppm;
  const sources = splitPool(dataPool, sourceSharesPpm, 'sourceSharesPpm');
  const trainingShares = options.trainingSharesPpm ?? [];
  const pays = trainingShares.reduce((a, b) => a + b, 0) === PPM;
  const trainingPool = pays ? (earned * BigInt(config.trainingPpm)) / ppm : 0n;
  const training = splitPool(trainingPool, trainingShares, 'trainingSharesPpm');
  const adapter = options.adapterOwnerPaid === false ? 0n : earned - trainingPool;
  const paid = adapter + sum(sources) + sum(training);
  if (options.validatorStakes === undefined) return { fee, model: fee - paid, adapter, sources, training };
  const validatorPool = (fee * BigInt(config.split.validators ?? 0)) / ppm;
  const validators = splitValidatorPool(validatorPool, sourceSharesPpm, options.validatorStakes);
  const toValidators = sum(validators.map((v) => v.amount));
  return { fee, model: fee - paid - toValidators, adapter, sources, training, validators };
}

/**
 * The validator pool by DataNet (the summed share_ppm of its sources), then pro rata to stake
 * within each DataNet; payouts of 0 are left out. Exact: a DataNet with staked validators pays
 * its whole part.
 */
export function splitValidatorPool(
  pool: bigint,
  sourceSharesPpm: readonly number[],
  v: { sourceDatanets: readonly string[]; stakes: ValidatorStakes },
): ValidatorPayout[] {
  if (v.sourceDatanets.length !== sourceSharesPpm.length)
    throw new RangeError(`splitFee: ${v.sourceDatanets.length} source DataNets for ${sourceSharesPpm.length} shares`);
  const byDatanet = new Map<string, number>();
  sourceSharesPpm.forEach((s, i) =>
    byDatanet.set(v.sourceDatanets[i]!, (byDatanet.get(v.sourceDatanets[i]!) ?? 0) + s),
  );
  const names = [...byDatanet.keys()];
  const parts = splitPool(
    pool,
    names.map((n) => byDatanet.get(n)!),
    'datanetSharesPpm',
  );
  const out: ValidatorPayout[] = [];
  names.forEach((datanet, i) => {
    const staked = (v.stakes.get(datanet) ?? []).filter((s) => s.stake > 0n);
    const total = staked.reduce((a, s) => a + s.stake, 0n);
    if (total === 0n || parts[i]! === 0n) return;
    const amounts = staked.map((s) => (parts[i]! * s.stake) / total);
    let left = parts[i]! - sum(amounts);
    const order = staked
      .map((s, j) => ({ j, r: (parts[i]! * s.stake) % total }))
      .sort((a, b) => (a.r === b.r ? a.j - b.j : a.r > b.r ? -1 : 1));
    for (let k = 0; left > 0n; k = (k + 1) % order.length, left--) amounts[order[k]!.j]! += 1n;
    staked.forEach((s, j) => {
      if (amounts[j]! > 0n) out.push({ datanet, validator: s.validator.toLowerCase(), amount: amounts[j]! });
    });
  });
  return out;
}

/**
 * floor(pool * share_i / 1e6) each; when the shares sum to exactly 1e6 the units left over go one
 * each to the largest remainders (ties: lower index), so the amounts sum to `pool` exactly.
 */
export function splitPool(pool: bigint, sharesPpm: readonly number[], name = 'shares'): bigint[] {
  const ppm = BigInt(PPM);
  const shares = sharesPpm.map((s, i) => BigInt(checkPpm(s, `${name}[${i}]`)));
  const total = shares.reduce((a, b) => a + b, 0n);
  if (total > ppm) throw new RangeError(`splitFee: ${name} sum to ${total} ppm, more than ${PPM}`);
  const amounts = shares.map((s) => (pool * s) / ppm);
  if (total === ppm) {
    let left = pool - sum(amounts);
    const order = shares
      .map((s, i) => ({ i, r: (pool * s) % ppm }))
      .filter((o) => shares[o.i]! > 0n)
      .sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
    for (let j = 0; left > 0n; j = (j + 1) % order.length, left--) amounts[order[j]!.i]! += 1n;
  }
  return amounts;
}

const sum = (xs: readonly bigint[]): bigint => xs.reduce((a, b) => a + b, 0n);

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
  feeTrainingPpm?: number;
  feeValidatorsPpm?: number;
}): Readonly<FeeConfig> {
  return validateFeeConfig({
    promptPricePer1k: c.promptPricePer1k,
    completionPricePer1k: c.completionPricePer1k,
    split: {
      model: c.feeModelPpm,
      adapter: c.feeAdapterPpm,
      data: c.feeDataPpm,
      ...(c.feeValidatorsPpm ? { validators: c.feeValidatorsPpm } : {}),
    },
    trainingPpm: c.feeTrainingPpm,
  });
}
