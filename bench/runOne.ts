// Child-process entry: runs ONE (scenario, system) job in a fresh process so peak RSS and warm
// caches belong to that system alone. Usage: tsx bench/runOne.ts JOB.json RESULT.json
// Writes {ok: true, run: SystemRun} or {ok: false, error} to RESULT.json; exit code 0 either way
// unless the process itself dies.
import { readFile, writeFile } from 'node:fs/promises';
import type { RunJob, SystemRun } from './systems/systemRun.ts';
import { runLoraledger } from './systems/runLoraledger.ts';
import { runLlamaCpp } from './systems/runLlamaCpp.ts';
import { runNaiveMerged } from './peers/naiveMerged.ts';

const RUNNERS: Record<RunJob['system'], (job: RunJob) => Promise<SystemRun>> = {
  loraledger: runLoraledger,
  'naive-merged': runNaiveMerged,
  'llama.cpp': runLlamaCpp,
};

async function main(): Promise<void> {
  const [jobFile, resultFile] = process.argv.slice(2);
  if (!jobFile || !resultFile) throw new Error('usage: tsx bench/runOne.ts JOB.json RESULT.json');
  const job = JSON.parse(await readFile(jobFile, 'utf8')) as RunJob;
  let out: unknown;
  try {
    const run = await RUNNERS[job.system](job);
    run.peakRssBytes = process.resourceUsage().maxRSS * 1024;
    out = { ok: true, run };
  } catch (err) {
    out = { ok: false, error: (err as Error)?.stack ?? String(err) };
  }
  await writeFile(resultFile, JSON.stringify(out));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
