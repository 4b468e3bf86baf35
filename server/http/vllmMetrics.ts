// The vLLM-named gauges that the Gateway API Inference Extension's Endpoint Picker (EPP) scrapes
// from a model server (its "model server protocol"), registered beside the loraledger_* families
// and read from engine.stats() at scrape time:
//
//   vllm:num_requests_waiting{model_name}   requests queued (no row yet, or their adapter's slot is being waited for)
//   vllm:num_requests_running{model_name}   requests in the running batch
//   vllm:kv_cache_usage_perc{model_name}    KV positions held by running rows / (maxBatchSize x maxModelLen), 0..1
//   vllm:lora_requests_info{max_lora, running_lora_adapters, waiting_lora_adapters} = unix time (s) it was set
//   vllm:cache_config_info{block_size, num_gpu_blocks} = 1
//
// lora_requests_info is written as vLLM writes it: comma-joined adapter ids (no spaces), running =
// the adapters that running requests use, waiting = those of queued requests, max_lora = the slot
// count (--max-active-adapters), value = the time the series was set. vLLM leaves every older
// label set behind and the EPP keeps the series with the largest value; loraledger sets one
// series per scrape (the current state, set now), so that rule and "first/only series" agree.
// cache_config_info: the KV cache is not paged; each running row holds its own positions up to
// maxModelLen, so a "block" is one position (block_size 1) and num_gpu_blocks = maxBatchSize x
// maxModelLen, the same denominator as kv_cache_usage_perc.
import { Gauge, type Registry } from 'prom-client';
import type { EngineStats } from '../../kernels/index.ts';

export interface VllmGaugeSource {
  /** Scrape-time engine stats; null while the engine starts (the gauges then read 0 / no series). */
  stats(): EngineStats | null;
  /** Slots: --max-active-adapters. */
  maxLora: number;
  /** The base model id (vLLM's model_name label). */
  modelName: string;
  /** Unix time in seconds; default Date.now() / 1000. */
  now?: () => number;
}

/** Registers the vLLM-named gauges on `registry`. Call once per registry. */
export function registerVllmGauges(registry: Registry, source: VllmGaugeSource): void {
  const registers = [registry];
  const now = source.now ?? (() => Date.now() / 1000);
  const model = { model_name: source.modelName };
  const scalar = (name: string, help: string, pick: (s: EngineStats) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['model_name'],
      registers,
      collect() {
        const s = source.stats();
        this.set(model, s ? pick(s) : 0);
      },
    });
  scalar('vllm:num_requests_waiting', 'Requests waiting to be scheduled (vLLM name).', (s) => s.waiting);
  scalar('vllm:num_requests_running', 'Requests in the running batch (vLLM name).', (s) => s.running);
  scalar(
    'vllm:kv_cache_usage_perc',
    'KV cache usage, 0-1: positions held / maxBatchSize x maxModelLen (vLLM name).',
    (s) => (s.kv && s.kv.maxPositions > 0 ? s.kv.usedPositions / s.kv.maxPositions : 0),
  );
  new Gauge({
    name: 'vllm:lora_requests_info',
    help: 'Adapters of running and waiting requests; value = unix time the series was set (vLLM name).',
    labelNames: ['max_lora', 'running_lora_adapters', 'waiting_lora_adapters'],
    registers,
    collect() {
      this.reset();
      const s = source.stats();
      if (!s) return;
      this.set(
        {
          max_lora: String(source.maxLora),
          running_lora_adapters: (s.lora?.running ?? []).join(','),
          waiting_lora_adapters: (s.lora?.waiting ?? []).join(','),
        },
        now(),
      );
    },
  });
  new Gauge({
    name: 'vllm:cache_config_info',
    help: 'KV cache layout: block_size positions per block (1: not paged), num_gpu_blocks = maxBatchSize x maxModelLen (vLLM name).',
    labelNames: ['block_size', 'num_gpu_blocks'],
    registers,
    collect() {
      this.reset();
      const kv = source.stats()?.kv;
      if (kv) this.set({ block_size: '1', num_gpu_blocks: String(kv.maxPositions) }, 1);
    },
  });
}
