// Compiles constraints over one model's vocabulary and hands out one matcher per row (xgrammar:
// a pushdown automaton over the grammar, with a per-token mask precomputed for context-free parts).
// Runs in the engine worker. Compiled grammars are cached by the spec's canonical JSON (LRU).
//
// Per row and sampled token:
//   mask = matcher.nextTokenMask()     // [ceil(V/32)] Int32 words, bit i of word i>>5 = token i allowed
//   logits[i] = -inf where bit i is 0  // in the sampler, before penalties / temperature / top-p
//   matcher.accept(token)              // advances; a stop id is allowed only once the grammar is complete
import { RequestError } from '../../../common/index.ts';
import type { ConstraintSpec } from './constraintSpec.ts';
import { loadXgrammar, takeXgrammarError, type XgrammarModule } from './loadXgrammar.ts';
import { MaskTimes } from './maskTimes.ts';
import type { TokenizerVocab } from './tokenizerVocab.ts';
import { canonicalJson, toCompilable } from './toStructuralTag.ts';
import { jsonSchemaToEbnf } from './jsonGrammar.ts';

type Compiled = Awaited<ReturnType<GrammarCompiler['compileBuiltinJSONGrammar']>>;
type Matcher = Awaited<ReturnType<XgrammarModule['GrammarMatcher']['createGrammarMatcher']>>;
type GrammarCompiler = Awaited<ReturnType<XgrammarModule['GrammarCompiler']['createGrammarCompiler']>>;

/** One row's constraint state. */
export interface RowConstraint {
  /** [ceil(V/32)] allowed-token bitmask for the next token. */
  mask(): Promise<Int32Array>;
  /** Advances past the sampled token; false if the grammar rejects it. */
  accept(tokenId: number): boolean;
  dispose(): void;
}

/** What the engine core needs: a matcher per constrained row, and the mask-time figures. */
export interface ConstraintProvider {
  open(spec: ConstraintSpec, stopTokenIds: number[]): Promise<RowConstraint>;
  readonly maskTimes: MaskTimes;
}

const CACHE_ENTRIES = 64;

export class ConstraintEngine implements ConstraintProvider {
  private readonly cache = new Map<string, Promise<Compiled>>();

  private constructor(
    private readonly xg: XgrammarModule,
    private readonly compiler: GrammarCompiler,
    readonly vocabSize: number,
    readonly maskTimes: MaskTimes,
  ) {}

  static async create(
    vocab: TokenizerVocab,
    stopTokenIds: number[],
    maskTimes = new MaskTimes(),
  ): Promise<ConstraintEngine> {
    const xg = loadXgrammar();
    const info = await xg.TokenizerInfo.createTokenizerInfo(
      vocab.encoded,
      vocab.vocabType,
      false,
      vocab.encoded.length,
      stopTokenIds,
    );
    // Its own cache off: ours (below) is bounded and keyed by spec, xgrammar's would grow without bound.
    const compiler = await xg.GrammarCompiler.createGrammarCompiler(info, false);
    return new ConstraintEngine(xg, compiler, vocab.encoded.length, maskTimes);
  }

  /** Compiles (or reuses) the spec's grammar and starts a matcher at its beginning. */
  async open(spec: ConstraintSpec, stopTokenIds: number[]): Promise<RowConstraint> {
    const compiled = await this.compile(spec);
    const matcher = await this.xg.GrammarMatcher.createGrammarMatcher(compiled, stopTokenIds);
    return new XgrammarRow(matcher, this.maskTimes);
  }

  private compile(spec: ConstraintSpec): Promise<Compiled> {
    const key = canonicalJson(spec);
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key); // LRU: move to the back
      this.cache.set(key, hit);
      return hit;
    }
    const made = this.build(spec);
    made.catch(() => this.cache.delete(key));
    this.cache.set(key, made);
    if (this.cache.size > CACHE_ENTRIES) {
      const [oldKey, old] = this.cache.entries().next().value as [string, Promise<Compiled>];
      this.cache.delete(oldKey);
      old.then(
        (c) => c.dispose(),
        () => undefined,
      ); // matchers keep their own reference
    }
    return made;
  }

  private async build(spec: ConstraintSpec): Promise<Compiled> {
    try {
      const c = await toCompilable(spec, jsonSchemaToEbnf(this.xg));
      return await (c.kind === 'ebnf'
        ? this.compiler.compileGrammar(c.ebnf)
        : this.compiler.compileStructuralTag(c.json));
    } catch (err) {
      const reason = takeXgrammarError() ?? (err instanceof Error ? err.message : String(err));
      throw new RequestError(
        'invalid_request',
        `the ${spec.type} constraint could not be compiled to a grammar: ${reason}`,
      );
    }
  }
}

class XgrammarRow implements RowConstraint {
  constructor(
    private readonly matcher: Matcher,
    private readonly times: MaskTimes,
  ) {}

  async mask(): Promise<Int32Array> {
    const t0 = performance.now();
    const m = await this.matcher.getNextTokenBitmask();
    this.times.add(performance.now() - t0);
    return m;
  }

  accept(tokenId: number): boolean {
    return this.matcher.acceptToken(tokenId);
  }

  dispose(): void {
    this.matcher.dispose();
  }
}
