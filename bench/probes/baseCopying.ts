// The embedded default's base pretraining alone, with and without repeated-sequence examples,
// then the planted-evidence experiment on the result: how much of the base model's copying from
// context its pretraining buys, without building the adapters.
//
//   npx tsx bench/probes/baseCopying.ts --tokenizer-from .loraledger/embedded/v5/full/loraledger-demo \
//     [--induction N (default: the full profile's)] [--epochs N] [--cases 50] [--seed-base 1000] [--out DIR]
//     [--spread N] [--rag-copies N] [--no-copying] [--chat-eval] [--batch-size B] [--lr X]
// --spread, --rag-copies and --no-copying vary the base mix (factory/demo/embeddedDefault.ts
// BaseMix); --chat-eval also asks the base RAG-format questions (./chatCopying.ts).
// (bench:demo's planted figure is --cases 50 --seed-base 1000; docs/benchmarks.md also reports
// --cases 150 --seed-base 5000)
import { copyFileSync, mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { embeddedBaseExamples, trainEmbeddedBase } from '../../factory/demo/embeddedDefault.ts';
import { writeTrainedModel } from '../../factory/train/trainBase.ts';
import type { TrainExample } from '../../factory/train/trainExamples.ts';
import { loadTokenizer } from '../../kernels/model/index.ts';
import { embeddedWiring } from '../../server/integrations.ts';
import { plantedOnDemoBase } from '../../test/support/plantedEvidence.ts';
import { chatCopying } from './chatCopying.ts';

const { values } = parseArgs({
  options: {
    'tokenizer-from': { type: 'string' },
    induction: { type: 'string' },
    epochs: { type: 'string' },
    'batch-size': { type: 'string' },
    lr: { type: 'string' },
    cases: { type: 'string', default: '50' },
    'seed-base': { type: 'string', default: '1000' },
    out: { type: 'string' },
    'rag-copies': { type: 'string' },
    spread: { type: 'string' },
    'no-copying': { type: 'boolean', default: false },
    'rag-copy-documents': { type: 'boolean', default: false },
    'chat-eval': { type: 'boolean', default: false },
  },
});
if (!values['tokenizer-from']) throw new Error('--tokenizer-from <a built loraledger-demo folder> is required');
const out = values.out ?? mkdtempSync(join(tmpdir(), 'base-copying-'));
const tokDir = join(out, 'tok');
mkdirSync(tokDir, { recursive: true });
for (const f of ['tokenizer.json', 'tokenizer_config.json'])
  copyFileSync(join(values['tokenizer-from'], f), join(tokDir, f));
const tok = await loadTokenizer(tokDir);
const split = embeddedBaseExamples(tok, embeddedWiring.ragPrompt, 'full', {
  ...(values.induction ? { induction: Number(values.induction) } : {}),
  ...(values['rag-copies'] ? { ragCopies: Number(values['rag-copies']) } : {}),
  ...(values.spread ? { spread: Number(values.spread) } : {}),
  copying: !values['no-copying'],
  ragCopyDocuments: values['rag-copy-documents'],
});
const tokens = (xs: readonly TrainExample[]) => xs.reduce((n, e) => n + e.tokens.length, 0);
const induction = split.train.filter((e) => e.id.startsWith('induction-'));
console.error(
  `base training examples ${split.train.length} (${tokens(split.train)} tokens), of which repeated sequences ${induction.length} (${tokens(induction)} tokens)`,
);

const t0 = performance.now();
const base = await trainEmbeddedBase({
  profile: 'full',
  vocabSize: tok.vocabSize,
  work: out,
  ...split,
  threads: 0,
  schedule: {
    ...(values.epochs ? { epochs: Number(values.epochs) } : {}),
    ...(values['batch-size'] ? { batchSize: Number(values['batch-size']) } : {}),
    ...(values.lr ? { learningRate: Number(values.lr) } : {}),
  },
});
const trainSeconds = (performance.now() - t0) / 1000;
const modelDir = join(out, 'model');
await writeTrainedModel(modelDir, base.spec, base.weights, tokDir);

const planted = await plantedOnDemoBase({
  modelDir,
  graphsDir: join(out, 'graphs'),
  cases: Number(values.cases),
  seedBase: Number(values['seed-base']),
  bos: base.spec.bosTokenId ?? 0,
  model: 'loraledger-demo',
});
const chat = values['chat-eval'] ? await chatCopying({ modelDir, graphsDir: join(out, 'graphs') }) : undefined;
console.log(
  JSON.stringify({
    ...(chat ? { chat } : {}),
    induction: induction.length,
    ragCopies: split.train.filter((e) => e.id.startsWith('ragcopy-')).length,
    copying: !values['no-copying'],
    epochs: values.epochs ?? 'profile',
    batchSize: values['batch-size'] ?? 'profile',
    lr: values.lr ?? 'profile',
    trainSeconds: +trainSeconds.toFixed(1),
    trainedTokens: base.trainedTokens,
    validationLoss: base.bestValidationLoss,
    shapleyTop1: planted.shapleyHits / planted.cases,
    looTop1: planted.looHits / planted.cases,
    margin: +planted.margin.toFixed(2),
    cases: planted.cases,
    out,
  }),
);
