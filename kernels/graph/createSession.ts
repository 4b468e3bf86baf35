// The one place that turns a built graph into an onnxruntime session (house style §4: back-ends
// are chosen in one selector). Pseudocode:
//   providers = provider == 'cuda' ? ['cuda', 'cpu'] : ['cpu']
//   if provider == 'cuda' and onnxruntime-node lists no 'cuda' backend -> EngineError
//   session = InferenceSession.create(onnxPath, {providers, graphOptimizationLevel (default 'all'),
//             intraOpNumThreads: threads (0 = ORT default), interOpNumThreads: 1,
//             enableCpuMemArena, enableMemPattern, executionMode: 'sequential',
//             session.intra_op.allow_spinning = allowSpinning ? '1' : '0'})
//   any failure -> EngineError('engine_failed') naming the provider and the graph file.
import * as ort from 'onnxruntime-node';
import { EngineError } from '../../common/index.ts';
import type { ExecutionProvider } from './graphContract.ts';

export interface CreateSessionOptions {
  provider: ExecutionProvider;
  /** ORT intra-op threads; 0 = ORT default (one per core). */
  threads: number;
  /** Spinning thread pools cut latency but burn cores; turn off when several sessions share the CPU. Default true. */
  allowSpinning?: boolean;
  /** CPU memory arena (default true). */
  enableCpuMemArena?: boolean;
  /** Write the optimized graph here (debugging). */
  optimizedModelFilePath?: string;
  /** Turns onnxruntime's profiler on, writing <prefix>_<date>.json when the session ends profiling. */
  profileFilePrefix?: string;
  /** Graph optimizations; default 'all'. float64 graphs checked against finite differences use 'basic'. */
  optimizationLevel?: 'basic' | 'all';
}

export async function createSession(onnxPath: string, opts: CreateSessionOptions): Promise<ort.InferenceSession> {
  if (opts.provider === 'cuda' && !ort.listSupportedBackends().some((b) => b.name === 'cuda')) {
    throw new EngineError(
      'engine_failed',
      'provider "cuda" was asked for but this onnxruntime-node build has no CUDA execution provider',
    );
  }
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: opts.provider === 'cuda' ? ['cuda', 'cpu'] : ['cpu'],
    graphOptimizationLevel: opts.optimizationLevel ?? 'all',
    interOpNumThreads: 1,
    executionMode: 'sequential',
    enableCpuMemArena: opts.enableCpuMemArena ?? true,
    enableMemPattern: true,
    extra: { session: { intra_op: { allow_spinning: opts.allowSpinning === false ? '0' : '1' } } },
  };
  if (opts.threads > 0) options.intraOpNumThreads = opts.threads; // onnxruntime-node rejects an explicit undefined
  if (opts.optimizedModelFilePath) options.optimizedModelFilePath = opts.optimizedModelFilePath;
  if (opts.profileFilePrefix)
    Object.assign(options, { enableProfiling: true, profileFilePrefix: opts.profileFilePrefix });
  try {
    return await ort.InferenceSession.create(onnxPath, options);
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new EngineError(
      'engine_failed',
      `onnxruntime could not open ${onnxPath} with provider "${opts.provider}": ${why}`,
      { cause },
    );
  }
}
