// Plain-JS entry of the engine worker thread: Node 20 does not apply `--import tsx` loader hooks
// inside worker threads, so this registers tsx's ESM hooks, then loads the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./engineWorker.ts');
