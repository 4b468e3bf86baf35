// Plain-JS entry of the adapter loader thread (see kernels/engineWorkerBoot.mjs for why).
import { register } from 'tsx/esm/api';

register();
await import('./adapterLoaderWorker.ts');
