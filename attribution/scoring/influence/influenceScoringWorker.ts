// The influence scoring thread (influenceScoring.ts threadInfluenceScoring): holds the loaded
// gradient stores and runs DataInf against them, off the event loop; scores move back uncopied.
import { workerData } from 'node:worker_threads';
import { connectParent, lowerThreadPriority, withTransfer } from '../../../common/index.ts';
import {
  StoreCache,
  lazyDataInfGraphs,
  scoreAnswersWith,
  type InfluenceScoringCalls,
  type InfluenceScoringCommand,
} from './influenceScoring.ts';

lowerThreadPriority(); // below the event loop, as the model threads (common/threadPriority.ts)
const cache = new StoreCache((workerData as { maxLoadedBytes: number }).maxLoadedBytes);
const graphs = lazyDataInfGraphs();
connectParent<InfluenceScoringCalls, never, InfluenceScoringCommand>().serve(
  {
    async scoreAnswers(a) {
      const out = await scoreAnswersWith(cache, graphs, a);
      return withTransfer(
        out,
        out.map((s) => s.buffer as ArrayBuffer),
      );
    },
  },
  (cmd) => {
    if (cmd.t === 'fault-exit') process.exit(73); // tests only (threadInfluenceScoring.injectExit)
  },
);
