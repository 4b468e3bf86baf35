// Reads a model server's Prometheus text the way the Gateway API Inference Extension's Endpoint
// Picker (EPP) does (pkg/epp/backend/metrics and pkg/epp/datalayer/metrics, read, not copied):
// - a plain gauge: the latest matching series (by exposition timestamp; none written -> the first);
// - vllm:lora_requests_info: series whose running and waiting labels are both empty are skipped,
//   and the one with the LARGEST VALUE wins (its value is the time it was set);
// - the adapter lists are split on commas, each name trimmed, empty names dropped;
// - max_lora, block_size and num_gpu_blocks are read as integers (a non-integer is an error, as Go's Atoi).
// An independent reader for tests: it shares no code with server/http/vllmMetrics.ts.

export interface Series {
  labels: Record<string, string>;
  value: number;
  timestampMs?: number;
}

/** Parses Prometheus text exposition into name -> series (comments and blank lines skipped). */
export function parsePrometheusText(text: string): Map<string, Series[]> {
  const out = new Map<string, Series[]>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    let i = 0;
    while (i < line.length && line[i] !== '{' && line[i] !== ' ') i++;
    const name = line.slice(0, i);
    const labels: Record<string, string> = {};
    if (line[i] === '{') {
      i++;
      while (line[i] !== '}') {
        const eq = line.indexOf('=', i);
        const key = line.slice(i, eq).trim();
        if (line[eq + 1] !== '"') throw new Error(`bad label in: ${line}`);
        let j = eq + 2;
        let v = '';
        while (line[j] !== '"') {
          if (j >= line.length) throw new Error(`unterminated label value in: ${line}`);
          if (line[j] === '\\') {
            const c = line[j + 1];
            v += c === 'n' ? '\n' : c;
            j += 2;
          } else v += line[j++];
        }
        labels[key] = v;
        i = j + 1;
        if (line[i] === ',') i++;
      }
      i++;
    }
    const [value, ts] = line.slice(i).trim().split(/\s+/);
    const series: Series = { labels, value: Number(value), ...(ts ? { timestampMs: Number(ts) } : {}) };
    if (!out.has(name)) out.set(name, []);
    out.get(name)!.push(series);
  }
  return out;
}

export interface EppView {
  waitingQueueSize: number;
  runningRequestsSize: number;
  kvCacheUsagePercent: number;
  activeModels: Set<string>;
  waitingModels: Set<string>;
  maxActiveModels: number;
  /** The time (value) of the lora series read; 0 when none. */
  loraUpdated: number;
  cacheBlockSize?: number;
  cacheNumBlocks?: number;
}

function atoi(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new Error(`strconv.Atoi: parsing "${s}": invalid syntax`);
  return Number(s);
}

function latest(families: Map<string, Series[]>, name: string): Series {
  const list = families.get(name);
  if (!list || list.length === 0) throw new Error(`metric family "${name}" not found`);
  let best: Series | undefined;
  let recent = -1;
  for (const s of list) {
    const ts = s.timestampMs ?? 0;
    if (ts > recent) {
      recent = ts;
      best = s;
    }
  }
  return best!;
}

function adapters(csv: string | undefined): Set<string> {
  const out = new Set<string>();
  for (const name of (csv ?? '').split(',')) if (name.trim() !== '') out.add(name.trim());
  return out;
}

/** What the EPP would store for this endpoint after one scrape (vLLM's default metric names). */
export function readAsEpp(text: string): EppView {
  const f = parsePrometheusText(text);
  const view: EppView = {
    waitingQueueSize: Math.trunc(latest(f, 'vllm:num_requests_waiting').value),
    runningRequestsSize: Math.trunc(latest(f, 'vllm:num_requests_running').value),
    kvCacheUsagePercent: latest(f, 'vllm:kv_cache_usage_perc').value,
    activeModels: new Set(),
    waitingModels: new Set(),
    maxActiveModels: 0,
    loraUpdated: 0,
  };
  let lora: Series | undefined;
  for (const s of f.get('vllm:lora_requests_info') ?? []) {
    if (!s.labels.running_lora_adapters && !s.labels.waiting_lora_adapters) continue;
    if (s.value > view.loraUpdated) {
      view.loraUpdated = s.value;
      lora = s;
    }
  }
  if (lora) {
    view.activeModels = adapters(lora.labels.running_lora_adapters);
    view.waitingModels = adapters(lora.labels.waiting_lora_adapters);
    if (lora.labels.max_lora) view.maxActiveModels = atoi(lora.labels.max_lora);
  }
  const cache = f.get('vllm:cache_config_info');
  if (cache && cache.length > 0) {
    const c = latest(f, 'vllm:cache_config_info');
    if (c.labels.block_size) view.cacheBlockSize = atoi(c.labels.block_size);
    if (c.labels.num_gpu_blocks) view.cacheNumBlocks = atoi(c.labels.num_gpu_blocks);
  }
  return view;
}
