// Reads a PEFT LoRA adapter folder's small files (never its weights):
//   adapter_config.json        PEFT LoraConfig (peft_type, r, lora_alpha, use_rslora, target_modules, ...)
//   adapter_model.safetensors  the weights (only checked to exist here)
//   loraledger.json            optional: {description, tags[], owner: 0x-address}
//
// target_modules follows PEFT's matching rules (peft/tuners/tuners_utils.py check_target_module_exists):
//   list  -> a module key matches an entry when key == entry or key ends with "." + entry
//   "all-linear" -> every linear layer except the output head (the seven Llama projections)
//   other string -> a regex that must match the WHOLE module key (re.fullmatch)
//   null  -> PEFT's default for Llama/Mistral/Qwen2: ["q_proj", "v_proj"]
// Module keys are the base model's own names, e.g. `model.layers.3.self_attn.q_proj`.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AdapterError } from '../common/index.ts';
import { LORA_TARGETS, type LoraTarget } from '../kernels/model/index.ts';
import type { AdapterMeta } from './types.ts';

export const ADAPTER_CONFIG_FILE = 'adapter_config.json';
export const ADAPTER_WEIGHTS_FILE = 'adapter_model.safetensors';
export const ADAPTER_LEDGER_FILE = 'loraledger.json';
const PICKLE_FILES = ['adapter_model.bin', 'adapter_model.pt', 'adapter_model.pth'];
/** Layer counts beyond this are not probed when a regex selects targets (no Llama is this deep). */
const MAX_PROBE_LAYERS = 256;
const DEFAULT_TARGETS = ['q_proj', 'v_proj'];

/** AdapterMeta plus what loading needs to know about which (layer, target) pairs the config selects. */
export interface PeftAdapterMeta extends AdapterMeta {
  /** PEFT's `fan_in_fan_out`. lora_A / lora_B are nn.Linear either way, so storage does not change (see loadAdapter). */
  fanInFanOut: boolean;
  /** target_modules as written (list or regex string), defaults applied. */
  targetModules: string[] | string;
  /** exclude_modules as written, or null. */
  excludeModules: string[] | string | null;
  /** layers_to_transform, or null for every layer. */
  layersToTransform: number[] | null;
}

/** The base-model module key PEFT matches target_modules against. */
export function moduleKey(layer: number, target: LoraTarget): string {
  const block = target === 'gate_proj' || target === 'up_proj' || target === 'down_proj' ? 'mlp' : 'self_attn';
  return `model.layers.${layer}.${block}.${target}`;
}

function matchesSpec(key: string, spec: string[] | string): boolean {
  if (typeof spec === 'string') return spec === 'all-linear' || new RegExp(`^(?:${spec})$`).test(key);
  return spec.some((t) => key === t || key.endsWith(`.${t}`));
}

/** Whether the config puts a LoRA pair on `target` of `layer` (PEFT's rules, see the file comment). */
export function isTargeted(meta: PeftAdapterMeta, layer: number, target: LoraTarget): boolean {
  if (meta.layersToTransform && !meta.layersToTransform.includes(layer)) return false;
  const key = moduleKey(layer, target);
  if (meta.excludeModules !== null && matchesSpec(key, meta.excludeModules)) return false;
  return matchesSpec(key, meta.targetModules);
}

function invalid(file: string, field: string, what: string): AdapterError {
  return new AdapterError('adapter_invalid', `${file}: ${what}`, { details: { file, field } });
}

function readJson(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new AdapterError(
      'adapter_invalid',
      `${file}: cannot be read (${(cause as NodeJS.ErrnoException).code ?? 'error'})`,
      { details: { file }, cause },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new AdapterError('adapter_invalid', `${file}: is not valid JSON (${(cause as Error).message})`, {
      details: { file },
      cause,
    });
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw invalid(file, '(root)', 'must hold a JSON object');
  return json as Record<string, unknown>;
}

function isEmpty(v: unknown): boolean {
  return (
    v === undefined ||
    v === null ||
    v === false ||
    (Array.isArray(v) && v.length === 0) ||
    (typeof v === 'object' && Object.keys(v as object).length === 0)
  );
}

/** Validates target_modules and returns it with the default applied, plus the union of targets it selects. */
function parseTargets(file: string, raw: unknown): { spec: string[] | string; targets: LoraTarget[] } {
  const known = new Set<string>(LORA_TARGETS);
  if (raw === undefined || raw === null) return { spec: DEFAULT_TARGETS, targets: ['q_proj', 'v_proj'] };
  if (Array.isArray(raw)) {
    if (raw.length === 0)
      throw invalid(file, 'target_modules', 'target_modules is an empty list: the adapter targets nothing');
    const found = new Set<LoraTarget>();
    for (const entry of raw) {
      if (typeof entry !== 'string' || entry === '')
        throw invalid(
          file,
          'target_modules',
          `target_modules entries must be module names, got ${JSON.stringify(entry)}`,
        );
      const last = entry.split('.').pop()!;
      if (!known.has(last)) {
        throw invalid(
          file,
          'target_modules',
          `target_modules entry "${entry}" is not supported: loraledger applies LoRA only to ${LORA_TARGETS.join(', ')}`,
        );
      }
      found.add(last as LoraTarget);
    }
    return { spec: raw as string[], targets: LORA_TARGETS.filter((t) => found.has(t)) };
  }
  if (typeof raw !== 'string')
    throw invalid(
      file,
      'target_modules',
      `target_modules must be a list of module names or a regex string, got ${typeof raw}`,
    );
  if (raw === 'all-linear') return { spec: raw, targets: [...LORA_TARGETS] };
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${raw})$`);
  } catch (cause) {
    throw invalid(
      file,
      'target_modules',
      `target_modules regex "${raw}" does not compile (${(cause as Error).message})`,
    );
  }
  for (const other of ['model.embed_tokens', 'lm_head', 'model.norm']) {
    if (re.test(other))
      throw invalid(
        file,
        'target_modules',
        `target_modules regex "${raw}" also selects ${other}, which loraledger cannot adapt (only ${LORA_TARGETS.join(', ')})`,
      );
  }
  const found = new Set<LoraTarget>();
  for (let l = 0; l < MAX_PROBE_LAYERS; l++) for (const t of LORA_TARGETS) if (re.test(moduleKey(l, t))) found.add(t);
  if (found.size === 0)
    throw invalid(file, 'target_modules', `target_modules regex "${raw}" selects none of ${LORA_TARGETS.join(', ')}`);
  return { spec: raw, targets: LORA_TARGETS.filter((t) => found.has(t)) };
}

function readLedger(dir: string): Pick<AdapterMeta, 'description' | 'tags' | 'owner'> {
  const file = join(dir, ADAPTER_LEDGER_FILE);
  if (!existsSync(file)) return { description: null, tags: [], owner: null };
  const j = readJson(file);
  if (j.description !== undefined && j.description !== null && typeof j.description !== 'string')
    throw invalid(file, 'description', 'description must be a string');
  if (j.tags !== undefined && (!Array.isArray(j.tags) || j.tags.some((t) => typeof t !== 'string')))
    throw invalid(file, 'tags', 'tags must be a list of strings');
  if (
    j.owner !== undefined &&
    j.owner !== null &&
    (typeof j.owner !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(j.owner))
  ) {
    throw invalid(file, 'owner', `owner must be a 0x-prefixed 20-byte hex address, got ${JSON.stringify(j.owner)}`);
  }
  return {
    description: (j.description as string | undefined) ?? null,
    tags: (j.tags as string[] | undefined) ?? [],
    owner: (j.owner as string | undefined) ?? null,
  };
}

/**
 * Reads and validates an adapter folder's config (and optional loraledger.json) without touching
 * its weights. Throws AdapterError 'adapter_not_found' (no folder) or 'adapter_invalid' naming the
 * file and the field at fault.
 */
export function readAdapterMeta(dir: string, id: string): PeftAdapterMeta {
  const path = resolve(dir);
  if (!existsSync(path) || !statSync(path).isDirectory()) {
    throw new AdapterError('adapter_not_found', `adapter ${id}: folder ${path} does not exist`, {
      details: { id, path },
    });
  }
  const file = join(path, ADAPTER_CONFIG_FILE);
  if (!existsSync(file))
    throw invalid(file, '(file)', `missing: ${path} is not a PEFT adapter folder (no ${ADAPTER_CONFIG_FILE})`);
  const weights = join(path, ADAPTER_WEIGHTS_FILE);
  if (!existsSync(weights)) {
    const pickle = PICKLE_FILES.find((f) => existsSync(join(path, f)));
    if (pickle)
      throw invalid(
        join(path, pickle),
        '(file)',
        `refused: pickle weights can execute code; convert to safetensors (${ADAPTER_WEIGHTS_FILE})`,
      );
    throw invalid(weights, '(file)', 'missing: the adapter has no weights file');
  }
  const c = readJson(file);
  const peftType = c.peft_type;
  if (peftType !== 'LORA')
    throw invalid(file, 'peft_type', `peft_type is ${JSON.stringify(peftType)}; only LORA adapters are supported`);
  const rank = c.r ?? 8;
  if (typeof rank !== 'number' || !Number.isInteger(rank) || rank < 1)
    throw invalid(file, 'r', `r must be a positive integer, got ${JSON.stringify(rank)}`);
  const alpha = c.lora_alpha ?? 8;
  if (typeof alpha !== 'number' || !Number.isFinite(alpha) || alpha <= 0)
    throw invalid(file, 'lora_alpha', `lora_alpha must be a positive number, got ${JSON.stringify(alpha)}`);
  const useRslora = c.use_rslora ?? false;
  if (typeof useRslora !== 'boolean')
    throw invalid(file, 'use_rslora', `use_rslora must be true or false, got ${JSON.stringify(useRslora)}`);
  const fanInFanOut = c.fan_in_fan_out ?? false;
  if (typeof fanInFanOut !== 'boolean')
    throw invalid(file, 'fan_in_fan_out', `fan_in_fan_out must be true or false, got ${JSON.stringify(fanInFanOut)}`);
  const unsupported: Array<[string, string]> = [
    ['use_dora', 'DoRA adapters'],
    ['rank_pattern', 'per-module ranks (rank_pattern)'],
    ['alpha_pattern', 'per-module alphas (alpha_pattern)'],
    ['modules_to_save', 'fully trained extra modules (modules_to_save)'],
    ['layer_replication', 'layer_replication'],
    ['lora_bias', 'LoRA biases (lora_bias)'],
    ['target_parameters', 'target_parameters'],
  ];
  for (const [field, what] of unsupported)
    if (!isEmpty(c[field]))
      throw invalid(file, field, `${what} are not supported (${field} is ${JSON.stringify(c[field])})`);
  if (c.bias !== undefined && c.bias !== 'none')
    throw invalid(
      file,
      'bias',
      `bias "${String(c.bias)}" is not supported: only "none" (adapters that train biases change the base model)`,
    );
  const { spec: targetModules, targets } = parseTargets(file, c.target_modules);
  const ex = c.exclude_modules ?? null;
  if (ex !== null && typeof ex !== 'string' && !(Array.isArray(ex) && ex.every((e) => typeof e === 'string'))) {
    throw invalid(file, 'exclude_modules', 'exclude_modules must be a list of module names or a regex string');
  }
  let layers = c.layers_to_transform ?? null;
  if (typeof layers === 'number') layers = [layers];
  if (layers !== null && !(Array.isArray(layers) && layers.every((l) => Number.isInteger(l) && l >= 0))) {
    throw invalid(
      file,
      'layers_to_transform',
      `layers_to_transform must be a layer index or a list of them, got ${JSON.stringify(layers)}`,
    );
  }
  const base = c.base_model_name_or_path;
  return {
    id,
    path,
    rank,
    alpha,
    useRslora,
    targets,
    baseModel: typeof base === 'string' ? base : null,
    ...readLedger(path),
    fanInFanOut,
    targetModules,
    excludeModules: ex as string[] | string | null,
    layersToTransform: layers as number[] | null,
  };
}

/** Effective LoRA scale: alpha / r, or alpha / sqrt(r) with rsLoRA. */
export function loraScale(meta: Pick<AdapterMeta, 'alpha' | 'rank' | 'useRslora'>): number {
  return meta.useRslora ? meta.alpha / Math.sqrt(meta.rank) : meta.alpha / meta.rank;
}
