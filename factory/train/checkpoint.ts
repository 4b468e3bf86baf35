// A training checkpoint on disk: a PEFT adapter folder (usable as init_adapter, or served as it
// is) plus what resuming needs.
//
//   <dir>/adapter_config.json, adapter_model.safetensors   the adapter at this step (exportAdapter)
//   <dir>/optimizer.safetensors   AdamW moments: exp_avg.{i}, exp_avg_sq.{i} for trainable i (fp32)
//   <dir>/trainer_state.json      {step, optimizer_step, best_validation_loss, evals_without_improvement,
//                                  trained_tokens, metrics}
// Written into <dir>.tmp and renamed, so a checkpoint folder is always whole.
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadAdapterWeights, readAdapterMeta } from '../../adapters/index.ts';
import { RequestError } from '../../common/index.ts';
import { readSafetensors, writeSafetensors, type AdapterWeights, type ModelSpec } from '../../kernels/model/index.ts';
import { exportAdapter } from './exportAdapter.ts';
import type { TrainState } from './trainLora.ts';

const OPTIMIZER_FILE = 'optimizer.safetensors';
const STATE_FILE = 'trainer_state.json';

export interface CheckpointOptions {
  spec: ModelSpec;
  alpha: number;
  useRslora: boolean;
  baseModel: string | null;
  /** Extra fields for trainer_state.json (e.g. the last metrics). */
  metrics?: Record<string, unknown>;
}

export async function writeCheckpoint(dir: string, state: TrainState, o: CheckpointOptions): Promise<void> {
  const tmp = `${dir}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await exportAdapter(state.adapter, {
    dir: tmp,
    spec: o.spec,
    alpha: o.alpha,
    useRslora: o.useRslora,
    baseModel: o.baseModel,
  });
  const moments = state.optimizer.expAvg.flatMap((m, i) => [
    { name: `exp_avg.${i}`, shape: [m.length], data: m },
    { name: `exp_avg_sq.${i}`, shape: [m.length], data: state.optimizer.expAvgSq[i]! },
  ]);
  await writeSafetensors(join(tmp, OPTIMIZER_FILE), moments);
  const trainer = {
    step: state.step,
    optimizer_step: state.optimizer.step,
    best_validation_loss: state.bestValidationLoss,
    evals_without_improvement: state.evalsWithoutImprovement,
    trained_tokens: state.trainedTokens,
    metrics: o.metrics ?? {},
  };
  await writeFile(join(tmp, STATE_FILE), JSON.stringify(trainer, null, 2) + '\n');
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
}

/**
 * The starting values of an init_adapter (any PEFT folder: a checkpoint or a served adapter); its
 * rank and targets must be the job's.
 */
export async function readInitAdapter(
  dir: string,
  spec: ModelSpec,
  want: { rank: number; targets: readonly string[]; maxRank: number },
): Promise<AdapterWeights> {
  const adapter = await loadAdapterWeights(readAdapterMeta(dir, 'init_adapter'), spec, { maxRank: want.maxRank });
  const same = adapter.rank === want.rank && [...adapter.targets].sort().join() === [...want.targets].sort().join();
  if (!same)
    throw new RequestError(
      'invalid_request',
      `init_adapter has rank ${adapter.rank} on ${adapter.targets.join(', ')}; the job trains rank ${want.rank} on ${want.targets.join(', ')}`,
      { param: 'hyperparameters.init_adapter' },
    );
  return adapter;
}

/** Reads a checkpoint written by writeCheckpoint back into a resumable state. */
export async function readCheckpoint(dir: string, spec: ModelSpec, maxRank: number): Promise<TrainState> {
  const adapter = await loadAdapterWeights(readAdapterMeta(dir, 'checkpoint'), spec, { maxRank });
  const trainer = JSON.parse(await readFile(join(dir, STATE_FILE), 'utf8')) as {
    step: number;
    optimizer_step: number;
    best_validation_loss: number | null;
    evals_without_improvement: number;
    trained_tokens: number;
  };
  const tensors = await readSafetensors(join(dir, OPTIMIZER_FILE));
  const count = tensors.size / 2;
  const moment = (kind: string) => Array.from({ length: count }, (_, i) => tensors.get(`${kind}.${i}`)!.data);
  return {
    step: trainer.step,
    adapter,
    optimizer: { step: trainer.optimizer_step, expAvg: moment('exp_avg'), expAvgSq: moment('exp_avg_sq') },
    bestValidationLoss: trainer.best_validation_loss,
    evalsWithoutImprovement: trainer.evals_without_improvement,
    trainedTokens: trainer.trained_tokens,
  };
}
