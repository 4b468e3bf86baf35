/// <reference lib="dom" />
// Step 2, the model and its settings (browser code): the base model (the /v1/models entries that
// are not adapters, i.e. have no parent) and the hyperparameters, turned into a job request body.
import { listModels } from './api.js';
import { byId, h } from './dom.js';

/** Every hyperparameter input is #hp-<name>; the four in view first, then the "Advanced" fold. */
const NUMERIC = [
  'n_epochs',
  'batch_size',
  'learning_rate_multiplier',
  'lora_r',
  'lora_alpha',
  'learning_rate',
  'warmup_steps',
  'weight_decay',
  'max_grad_norm',
  'gradient_accumulation_steps',
  'eval_every',
  'checkpoint_every',
  'early_stopping_patience',
  'validation_split',
] as const;

/** The projections a LoRA adapter can target (kernels/model LORA_TARGETS). */
const TARGETS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];

const value = (id: string) => byId<HTMLInputElement | HTMLSelectElement>(id).value.trim();

export class SettingsStep {
  private readonly base = byId<HTMLSelectElement>('base-model');

  constructor() {
    byId('target-modules').replaceChildren(
      ...TARGETS.map((t) =>
        h('label', { className: 'inline' }, h('input', { type: 'checkbox', value: t, checked: true }), t),
      ),
    );
  }

  /** Fills the base-model list; returns the adapters' count for the header. */
  async loadModels(): Promise<{ base: string; adapters: number }> {
    const models = await listModels();
    const bases = models.filter((m) => m.parent === null);
    const chosen = this.base.value;
    this.base.replaceChildren(...bases.map((m) => h('option', { value: m.id }, m.id)));
    if (bases.some((m) => m.id === chosen)) this.base.value = chosen;
    return { base: bases[0]?.id ?? '', adapters: models.filter((m) => m.parent !== null && m.id !== 'auto').length };
  }

  /** Calls back on any change of a setting. */
  onChange(fn: () => void): void {
    byId('settings-step').addEventListener('input', fn);
    byId('settings-step').addEventListener('change', fn);
  }

  /** What the job will do, in words, for `rows` training rows (null: not known yet). */
  plan(rows: number | null): string {
    const n = (id: string) => Number(value(id)) || null;
    const [epochs, batch, rank] = [n('hp-n_epochs'), n('hp-batch_size'), n('hp-lora_r')];
    const accumulation = n('hp-gradient_accumulation_steps') ?? 1;
    let text = `Trains a rank-${rank ?? 8} LoRA adapter on ${this.baseModel || 'the base model'}`;
    if (epochs) text += ` for ${epochs} epoch${epochs === 1 ? '' : 's'}`;
    if (rows !== null) {
      text += ` over ${rows} row${rows === 1 ? '' : 's'}`;
      if (epochs && batch) text += ` (about ${Math.ceil(Math.ceil(rows / batch) / accumulation) * epochs} steps)`;
    }
    return `${text}. It is served as soon as it finishes.`;
  }

  get baseModel(): string {
    return this.base.value;
  }

  /** The POST /v1/fine_tuning/jobs body for these settings and the chosen data. */
  jobBody(data: Record<string, unknown>): Record<string, unknown> {
    const hyperparameters: Record<string, unknown> = {};
    for (const name of NUMERIC) {
      const v = value(`hp-${name}`);
      if (v !== '') hyperparameters[name] = Number(v);
    }
    const scheduler = value('hp-lr_scheduler');
    if (scheduler) hyperparameters.lr_scheduler = scheduler;
    const targets = Array.from(document.querySelectorAll<HTMLInputElement>('#target-modules input:checked')).map(
      (c) => c.value,
    );
    if (targets.length !== TARGETS.length) hyperparameters.target_modules = targets;
    const tags = value('tags')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    const optional = (key: string, v: unknown) => (v === '' || v === undefined ? {} : { [key]: v });
    return {
      model: this.baseModel,
      ...data,
      ...optional('suffix', value('suffix')),
      ...optional('seed', value('seed') === '' ? '' : Number(value('seed'))),
      ...optional('owner', value('owner')),
      ...optional('description', value('description')),
      ...(tags.length && { tags }),
      method: { type: 'supervised', supervised: { hyperparameters } },
    };
  }
}
