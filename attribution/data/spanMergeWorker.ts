// The span index's merge thread (spanIndexStore.ts workerSegmentMerger): rebuilds the suffix array
// of two segments off the main thread and moves the result back without a copy.
import { connectParent, withTransfer } from '../../common/index.ts';
import { mergeSegments, type SpanSegment } from './spanIndex.ts';

export interface SpanMergeCalls {
  /** mergeSegments(a, b): a's documents first. */
  merge: { args: { a: SpanSegment; b: SpanSegment }; result: SpanSegment };
}

const parent = connectParent<SpanMergeCalls>();
parent.serve({
  merge: ({ a, b }) => {
    const m = mergeSegments(a, b);
    return withTransfer(m, [
      m.tokens.buffer as ArrayBuffer,
      m.sa.buffer as ArrayBuffer,
      m.docStarts.buffer as ArrayBuffer,
    ]);
  },
});
