// POST /v1/attribution/influence: the training examples that shaped an answer, for auditors and
// the evaluation bench (training-data influence, attribution/scoring/influence).
//
//   {model: adapter id, prompt | messages, completion, top_k?}
//     prompt: text (encoded as /v1/completions encodes it, BOS included) or token ids;
//     messages: chat messages (the chat template, generation prompt appended);
//     completion: text (no special tokens) or token ids
//   -> {object: "attribution.influence", model, method: "datainf",
//       data: [{example_id, doc_id, datanet, contributor, score, share_ppm}]   ranked, top_k
//       contributors: [{contributor, score, share_ppm}]}                       roll-up over every example
// share_ppm is over positive scores only, normalised to 1,000,000 (largest remainder).
// Errors: unknown adapter 404 model_not_found; no training manifest 404 training_manifest_missing;
// examples gone 404 training_examples_missing; prompt + completion past the training context 400
// context_length_exceeded.
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AttributionError, RequestError, type Logger } from '../../common/index.ts';
import { sharesPpm } from '../../attribution/index.ts';
import {
  InfluenceScorer,
  threadInfluenceScoring,
  type InfluenceGradients,
  type TrainingExampleScore,
} from '../../attribution/scoring/influence/index.ts';
import { ChatMessageSchema } from '../http/schemas.ts';
import { chatMessages } from '../generation/planRequest.ts';
import type { AdapterDirectory, ServerTokenizer } from '../ports.ts';

const TextOrIds = Type.Union([Type.String(), Type.Array(Type.Integer({ minimum: 0 }), { minItems: 1 })]);
const InfluenceBody = Type.Object({
  model: Type.String({ minLength: 1, description: 'A factory-trained adapter id.' }),
  prompt: Type.Optional(TextOrIds),
  messages: Type.Optional(Type.Array(ChatMessageSchema, { minItems: 1 })),
  completion: TextOrIds,
  top_k: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, description: 'Examples returned (default 20).' })),
});

export const DEFAULT_INFLUENCE_TOP_K = 20;

/**
 * The scorer over the factory's training thread, for registered adapters; DataInf runs on a
 * thread of its own (close() stops it).
 */
export function createInfluenceScorer(o: {
  gradients: InfluenceGradients;
  adapters: Pick<AdapterDirectory, 'get'>;
  contextLength: number;
  /** Gradients of adapters on read-only volumes go here (InfluenceScorerOptions.cacheDir). */
  cacheDir?: string;
  log?: Logger;
}): InfluenceScorer {
  return new InfluenceScorer({
    adapterDir: (id) => o.adapters.get(id)?.path ?? null,
    gradients: o.gradients,
    contextLength: o.contextLength,
    ...(o.cacheDir ? { cacheDir: o.cacheDir } : {}),
    scoring: threadInfluenceScoring({ log: o.log }),
  });
}

/** Per-contributor roll-up of ranked scores (null contributor: the adapter owner's own file rows). */
export function rollUp(data: readonly TrainingExampleScore[]): Array<{ contributor: string | null; score: number }> {
  const by = new Map<string | null, number>();
  for (const d of data) by.set(d.contributor, (by.get(d.contributor) ?? 0) + d.score);
  return [...by].map(([contributor, score]) => ({ contributor, score })).sort((a, b) => b.score - a.score);
}

export function influenceRoutes(
  scorer: InfluenceScorer,
  tok: Pick<ServerTokenizer, 'encode' | 'applyChatTemplate'>,
): FastifyPluginAsync {
  return async (app) => {
    const r = app.withTypeProvider<TypeBoxTypeProvider>();
    r.post(
      '/v1/attribution/influence',
      {
        schema: {
          summary: 'Training examples of a factory-trained adapter ranked by their influence on an answer (DataInf)',
          tags: ['attribution'],
          body: InfluenceBody,
        },
      },
      async (request) => {
        const b = request.body;
        if ((b.prompt === undefined) === (b.messages === undefined))
          throw new RequestError('invalid_request', 'give exactly one of "prompt" and "messages"', { param: 'prompt' });
        const promptIds =
          b.messages !== undefined
            ? tok.applyChatTemplate(chatMessages({ messages: b.messages } as Parameters<typeof chatMessages>[0]))
            : typeof b.prompt === 'string'
              ? tok.encode(b.prompt)
              : b.prompt!;
        const completionIds =
          typeof b.completion === 'string' ? tok.encode(b.completion, { addSpecialTokens: false }) : b.completion;
        const topK = b.top_k ?? DEFAULT_INFLUENCE_TOP_K;
        const all = await scorer.score({ adapterId: b.model, promptIds, completionIds });
        if (all === null)
          throw new AttributionError(
            'training_manifest_missing',
            `adapter ${b.model} has no training manifest (loraledger.json training.examples): only adapters trained by the factory have training-data influence`,
            { param: 'model' },
          );
        const data = all.slice(0, topK);
        const shares = sharesPpm(data.map((d) => d.score));
        const contributors = rollUp(all);
        const cShares = sharesPpm(contributors.map((c) => c.score));
        return {
          object: 'attribution.influence',
          model: b.model,
          method: 'datainf',
          prompt_tokens: promptIds.length,
          completion_tokens: completionIds.length,
          data: data.map((d, i) => ({
            example_id: d.exampleId,
            doc_id: d.docId,
            datanet: d.datanet,
            contributor: d.contributor,
            score: d.score,
            share_ppm: shares[i]!,
          })),
          contributors: contributors.map((c, i) => ({ ...c, share_ppm: cShares[i]! })),
        };
      },
    );
  };
}
