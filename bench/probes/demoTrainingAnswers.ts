// How many of the demo adapters' own training questions they answer word for word (greedy, no
// RAG), against a running server: the first 10 question-and-answer documents of each domain.
//
//   npm start -- --chain off   (or with --model/--adapters pointing at an older build)
//   npx tsx bench/probes/demoTrainingAnswers.ts --base http://127.0.0.1:8000
// (npm run bench:demo reports the same figure as copying.trainingQuestions.)
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DEMO_DOMAINS } from '../../factory/index.ts';

/** Greedy answers to the first 10 training questions of each domain, asked of its adapter at `base`. */
export async function demoTrainingAnswers(
  base: string,
): Promise<{ trainingQuestions: number; answeredExactly: number }> {
  let exact = 0;
  let total = 0;
  for (const d of DEMO_DOMAINS) {
    for (const doc of d.documents.filter((x) => x.metadata).slice(0, 10)) {
      const [q, a] = [doc.metadata!.messages[0]!.content, doc.metadata!.messages[1]!.content];
      const r = await fetch(`${base}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: d.id, messages: [{ role: 'user', content: q }], max_tokens: 48, temperature: 0 }),
      });
      if (!r.ok) throw new Error(`${d.id}: ${r.status} ${await r.text()}`);
      const got = ((await r.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message
        .content;
      total++;
      if (got.trim() === a) exact++;
    }
  }
  return { trainingQuestions: total, answeredExactly: exact };
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const { values } = parseArgs({ options: { base: { type: 'string', default: 'http://127.0.0.1:8000' } } });
  console.log(JSON.stringify(await demoTrainingAnswers(values.base)));
}
