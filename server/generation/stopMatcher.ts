// Stop strings on detokenized text: text that might be the start of a stop string is held back
// until it is known not to be; when a stop string completes, the text before it is released and
// the stop string itself is dropped (OpenAI semantics).

export interface StopPush {
  /** Text safe to send now. */
  text: string;
  /** A stop string completed; nothing after it may be sent. */
  stopped: boolean;
  /** Which stop string. */
  matched?: string;
}

export class StopMatcher {
  private held = '';
  private done = false;
  private readonly longest: number;

  constructor(private readonly stops: readonly string[]) {
    this.longest = stops.reduce((m, s) => Math.max(m, s.length), 0);
  }

  push(delta: string): StopPush {
    if (this.done) return { text: '', stopped: true };
    if (this.stops.length === 0) return { text: delta, stopped: false };
    const buf = this.held + delta;
    let at = -1;
    let matched: string | undefined;
    for (const s of this.stops) {
      const i = buf.indexOf(s);
      if (i >= 0 && (at < 0 || i < at)) {
        at = i;
        matched = s;
      }
    }
    if (at >= 0) {
      this.done = true;
      this.held = '';
      return { text: buf.slice(0, at), stopped: true, matched };
    }
    // Hold the longest suffix of buf that is a proper prefix of some stop string.
    let keep = 0;
    for (let k = Math.min(buf.length, this.longest - 1); k > 0; k--) {
      const tail = buf.slice(buf.length - k);
      if (this.stops.some((s) => s.startsWith(tail))) {
        keep = k;
        break;
      }
    }
    this.held = buf.slice(buf.length - keep);
    return { text: buf.slice(0, buf.length - keep), stopped: false };
  }

  /** End of stream: the held text was not a stop string after all. */
  flush(): string {
    const t = this.done ? '' : this.held;
    this.held = '';
    return t;
  }
}
