// Adapts the other folders' implementations to the server's ports (server/ports.ts): the model
// folder's tokenizer, the "auto" router (with the base model's token embeddings), and the folders
// to serve (given, or the embedded default).
import { resolve, join } from 'node:path';
import { loadTokenizer, type ModelSpec } from '../kernels/model/index.ts';
import { AdapterRouter, meanEmbedder, type AdapterRegistry } from '../adapters/index.ts';
import {
  DEFAULT_RAG_TEMPLATE,
  augmentText,
  documentId,
  keccak256,
  loadTokenEmbeddings,
  type TokenEmbeddingTable,
} from '../attribution/index.ts';
import type { Logger } from '../common/index.ts';
import type { DemoDatanetSeed, EmbeddedOptions, EmbeddedProgress } from '../factory/index.ts';
import type { Config } from './configSchema.ts';
import type { AutoRouter, ServerTokenizer } from './ports.ts';

export async function loadServerTokenizer(modelDir: string): Promise<ServerTokenizer> {
  const t = await loadTokenizer(modelDir);
  return {
    encode: (text, opts) => t.encode(text, opts),
    decode: (ids) => t.decode(ids, { skipSpecialTokens: true }),
    applyChatTemplate: (messages, opts) => t.applyChatTemplate(messages, { tools: opts?.tools }),
    chatTemplate: t.chatTemplate,
    detokenizer: (opts) => t.createStreamDecoder({ skipSpecialTokens: !opts?.keepSpecialTokens }),
    isSpecialToken: (text) => t.isSpecialToken(text),
  };
}

/**
 * What the embedded default's build needs of attribution/: the DataNet store's document ids and
 * content hashes (the adapters' manifests name documents by them) and the RAG prompt the server
 * builds (its copying examples are rendered in it).
 */
export const embeddedWiring: Pick<EmbeddedOptions, 'identity' | 'ragPrompt'> = {
  identity: (datanet, text) => ({ docId: documentId(datanet, text), contentHash: keccak256(text) }),
  ragPrompt: (passages, question) =>
    augmentText(
      passages.map((text) => ({ text })),
      question,
      DEFAULT_RAG_TEMPLATE,
    ),
};

/** The model folder and adapter roots to serve: --model/--adapters, or the embedded default (and its DataNets). */
export async function prepareModelFolders(
  config: Config,
  log?: Pick<Logger, 'info'>,
): Promise<{ modelDir: string; adapterRoots: string[]; datanets: DemoDatanetSeed[] }> {
  const roots = config.adapters.map((r) => resolve(r));
  if (config.model !== undefined) return { modelDir: resolve(config.model), adapterRoots: roots, datanets: [] };
  const { ensureEmbeddedDefault } = await import('../factory/index.ts');
  const d = await ensureEmbeddedDefault(join(config.cacheDir, 'embedded'), {
    ...embeddedWiring,
    profile: config.embeddedProfile,
    threads: config.threads,
    onProgress: progressBar(process.stderr, log),
  });
  return {
    modelDir: resolve(d.modelDir),
    adapterRoots: roots.length > 0 ? roots : [resolve(d.adaptersDir)],
    datanets: d.datanets,
  };
}

/**
 * First-start progress on stderr: a bar redrawn in place on a terminal, else a line per 10%
 * (and at each stage change), so logs stay short.
 */
export function progressBar(out: NodeJS.WriteStream, log?: Pick<Logger, 'info'>): (p: EmbeddedProgress) => void {
  let lastTenth = -1;
  let lastLabel = '';
  return (p) => {
    const pct = Math.floor(p.fraction * 100);
    const eta =
      p.fraction > 0.02 && p.stage !== 'done'
        ? ` ETA ${formatSeconds((p.elapsed * (1 - p.fraction)) / p.fraction)}`
        : '';
    const step = p.step !== undefined ? ` step ${p.step}/${p.totalSteps}` : '';
    const loss = p.loss !== undefined ? ` loss ${p.loss.toFixed(3)}` : '';
    const line = `first start: building the embedded default: ${p.label}${step}${loss} ${pct}%${eta} (${formatSeconds(p.elapsed)})`;
    if (out.isTTY) {
      const width = 24;
      const filled = Math.round(p.fraction * width);
      out.write(
        `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${line}\x1b[K${p.stage === 'done' ? '\n' : ''}`,
      );
      return;
    }
    const tenth = Math.floor(p.fraction * 10);
    if (tenth === lastTenth && p.label === lastLabel && p.stage !== 'done') return;
    lastTenth = tenth;
    lastLabel = p.label;
    if (log) log.info({ progress: pct, stage: p.stage, elapsed_s: Math.round(p.elapsed) }, line);
    else out.write(line + '\n');
  };
}

export function formatSeconds(seconds: number): string {
  const total = Math.round(seconds);
  const m = Math.floor(total / 60);
  return m > 0 ? `${m}m${String(total % 60).padStart(2, '0')}s` : `${total}s`;
}

/**
 * Largest input-embedding table read into host memory for routing, bytes (fp32). 256 MiB holds
 * e.g. SmolLM-135M's [49152, 576] (113 MB); an 8B model's [128256, 4096] (2.1 GB) is not read
 * and "auto" routes on lexical similarity alone.
 */
export const MAX_ROUTING_EMBEDDING_BYTES = 256 * 1024 * 1024;

/**
 * The base model's model.embed_tokens.weight [V, D], read once at start-up (only that tensor), or
 * null when it would take more than `maxBytes` as fp32.
 */
export async function loadRoutingEmbeddings(
  modelDir: string,
  spec: ModelSpec,
  maxBytes = MAX_ROUTING_EMBEDDING_BYTES,
): Promise<TokenEmbeddingTable | null> {
  if (spec.vocabSize * spec.hiddenSize * 4 > maxBytes) return null;
  return loadTokenEmbeddings(modelDir);
}

/**
 * model "auto" through adapters/' AdapterRouter: BM25 over each adapter's loraledger.json
 * description and tags, plus (when `embeddings` is given) the cosine of mean-pooled base-model
 * input embeddings of the prompt and of that text (adapters/router.ts has the exact formula; the
 * reason names both parts). Deterministic: same prompt and adapters, same decision. The routable
 * set is rebuilt lazily when adapters come, go, or change between usable and errored.
 */
export function makeAutoRouter(
  registry: AdapterRegistry,
  opts: { embeddings?: TokenEmbeddingTable | null; encode?: (text: string) => number[] } = {},
): AutoRouter {
  const { embeddings, encode } = opts;
  const router = new AdapterRouter({
    embed: embeddings && encode ? meanEmbedder(encode, embeddings.table, embeddings.dim) : undefined,
  });
  let dirty = true;
  registry.on((e) => {
    if (e.type !== 'state' || e.to === 'errored' || e.from === 'errored') dirty = true;
  });
  return {
    route({ text }) {
      if (dirty) {
        dirty = false;
        const usable = registry
          .list()
          .filter((e) => e.state !== 'errored')
          .map((e) => {
            const m = registry.meta(e.id);
            return { id: e.id, description: m?.description ?? null, tags: m?.tags ?? [] };
          });
        router.setAdapters(usable);
      }
      const d = router.route(text);
      return { adapterId: d.adapterId, reason: d.reason, score: d.score };
    },
  };
}
