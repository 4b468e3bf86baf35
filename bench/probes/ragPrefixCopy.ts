// Does the demo model continue a retrieved passage once its answer has started? Against a running
// server (the embedded default): for the first 8 held-out questions of each domain, the RAG prompt
// holds the training document with the same answer and one other document; the assistant turn is
// started with the answer's first N words (raw ChatML through /v1/completions), and the greedy
// continuation is checked for a run of 6 or more words of the right passage.
//
//   npm start -- --chain off &
//   npx tsx bench/probes/ragPrefixCopy.ts --base http://127.0.0.1:8000 [--words 0,4,5]
import { parseArgs } from 'node:util';
import { EMBEDDED_MODEL_NAME } from '../../factory/index.ts';
import { longestSharedRun } from '../report/sharedRun.ts';
import { prefixCopyCases } from './chatCopying.ts';

const { values } = parseArgs({
  options: { base: { type: 'string', default: 'http://127.0.0.1:8000' }, words: { type: 'string', default: '0,4,5' } },
});
const results: Array<{ prefixWords: number; model: string; copies: number; questions: number }> = [];
for (const prefixWords of values.words!.split(',').map(Number)) {
  for (const adapter of [false, true]) {
    let copies = 0;
    let questions = 0;
    for (const { domain, user, prefix, right } of prefixCopyCases(prefixWords, false)) {
      const r = await fetch(`${values.base}/v1/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: adapter ? domain.id : EMBEDDED_MODEL_NAME,
          prompt: `<|im_start|>user\n${user}<|im_end|>\n<|im_start|>assistant\n${prefix}`,
          max_tokens: 32,
          temperature: 0,
        }),
      });
      if (!r.ok) throw new Error(`${r.status} ${await r.text()}`);
      const text = ((await r.json()) as { choices: Array<{ text: string }> }).choices[0]!.text;
      questions++;
      // the prefix's own words count toward the run only with a word copied after them
      if (longestSharedRun(`${prefix}${text}`, right) >= Math.max(6, prefixWords + 1)) copies++;
    }
    results.push({ prefixWords, model: adapter ? 'domain adapter' : EMBEDDED_MODEL_NAME, copies, questions });
  }
}
console.log(JSON.stringify(results));
