// Plain-JS entry of every worker thread that common/workerRpc.ts spawns: Node 20 does not apply
// `--import tsx` loader hooks inside worker threads, so this registers tsx's ESM hooks, then
// imports the worker module whose file URL spawnWorker passed as the thread's one argument.
import { register } from 'tsx/esm/api';

register();
await import(process.argv[2]);
