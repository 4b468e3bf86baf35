// Incremental tool-call parser: text deltas in, OpenAI-shaped events out, for one choice.
//
//   push(text) -> events      finish(truncated) -> events
//   content     text that is not part of a call (what might still be a call marker is held back
//               until it is decided, and so is trailing whitespace)
//   call_start  a call's name is known and is one of the tools: {index, id, name}
//   call_args   a fragment of its `arguments` JSON text, as it arrives
//   call_end    the call's object closed and parsed: {index, arguments} (the whole text)
//   invalid     a call that was already announced turned out malformed (bad JSON, unclosed at the
//               end of a reply that was not cut by max_tokens); nothing follows
//
// A section that fails before its call is announced (unknown function, no `{` after the marker,
// no name) is released as content, so a reply without calls comes out exactly as the model wrote it.
// The same machine serves streaming and non-streaming (parseToolCalls.ts feeds it the whole text).
import { randomBytes } from 'node:crypto';
import type { ToolCallFormat } from './toolCallFormats.ts';

export type ToolCallEvent =
  | { type: 'content'; text: string }
  | { type: 'call_start'; index: number; id: string; name: string }
  | { type: 'call_args'; index: number; text: string }
  | { type: 'call_end'; index: number; arguments: string }
  | { type: 'invalid'; reason: string };

/** An OpenAI tool call id: `call_` and 24 random letters and digits. */
export function newToolCallId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return 'call_' + Array.from(randomBytes(24), (b) => alphabet[b % alphabet.length]).join('');
}

type State = 'text' | 'passthrough' | 'open' | 'obj_start' | 'obj' | 'after' | 'invalid';

/** The call object being scanned (top-level keys tracked; values kept as raw text). */
interface CallScan {
  start: number;
  at: number; // next character to scan
  depth: number;
  inString: boolean;
  escaped: boolean;
  phase: 'key' | 'colon' | 'value_pending' | 'value' | 'comma';
  keyStart: number;
  key: string | null;
  valueStart: number;
  name: string | null;
  args: { start: number; text: string | null; emitted: number } | null;
}

const WS = /\s/;

export class ToolCallStream {
  private buf = '';
  private pos = 0;
  private state: State = 'text';
  private atStart = true;
  private sectionStart = 0;
  private scan: CallScan | null = null;
  private calls = 0;
  private announced = false;
  private out: ToolCallEvent[] = [];

  constructor(
    private readonly format: ToolCallFormat,
    private readonly isKnown: (name: string) => boolean,
    private readonly newId: () => string = newToolCallId,
  ) {}

  /** Calls announced so far. */
  get callCount(): number {
    return this.calls + (this.announced ? 1 : 0);
  }

  push(text: string): ToolCallEvent[] {
    this.buf += text;
    this.run();
    return this.take();
  }

  /** The reply ended; `truncated` when max_tokens (or the time limit) cut it. */
  finish(truncated: boolean): ToolCallEvent[] {
    this.run();
    const rest = this.buf.slice(this.pos);
    switch (this.state) {
      case 'text':
        if (!(this.calls > 0 && rest.trim() === '')) this.content(rest);
        break;
      case 'passthrough':
        this.content(rest);
        break;
      case 'open':
      case 'obj_start':
        this.content(this.buf.slice(this.sectionStart));
        break;
      case 'obj':
        if (!this.announced) this.content(this.buf.slice(this.sectionStart));
        else if (!truncated) this.fail(`the tool call ${this.scan!.name} is not closed`);
        break;
      case 'after':
      case 'invalid':
        break;
    }
    this.pos = this.buf.length;
    return this.take();
  }

  private take(): ToolCallEvent[] {
    const o = this.out;
    this.out = [];
    return o;
  }

  private content(text: string): void {
    if (text === '') return;
    const last = this.out.at(-1);
    if (last?.type === 'content') last.text += text;
    else this.out.push({ type: 'content', text });
  }

  private fail(reason: string): void {
    this.out.push({ type: 'invalid', reason });
    this.state = 'invalid';
  }

  /** Releases the current section as content (it failed before its call was announced). */
  private release(upTo: number): void {
    this.content(this.buf.slice(this.sectionStart, upTo));
    this.pos = upTo;
    this.scan = null;
    this.state = this.format.startOnly ? 'passthrough' : 'text';
    this.atStart = false;
  }

  /** Index of the first non-whitespace character at or after i (buf.length if none). */
  private skipWs(i: number): number {
    while (i < this.buf.length && WS.test(this.buf[i]!)) i++;
    return i;
  }

  private run(): void {
    for (;;) {
      const before = `${this.state}:${this.pos}:${this.scan?.at ?? -1}`;
      this.step();
      if (`${this.state}:${this.pos}:${this.scan?.at ?? -1}` === before) return;
    }
  }

  private step(): void {
    const f = this.format;
    const buf = this.buf;
    switch (this.state) {
      case 'invalid':
        this.pos = buf.length;
        return;
      case 'passthrough':
        this.content(buf.slice(this.pos));
        this.pos = buf.length;
        return;
      case 'text': {
        if (this.atStart) {
          const i = this.skipWs(this.pos);
          if (i === buf.length) return; // only whitespace so far: hold it
          const after = buf.slice(i);
          if (f.bareAtStart) {
            if (f.listOpen === '' && after[0] === '{') return this.openSection(this.pos, i, 'obj_start');
            if (f.listOpen !== '' && after.startsWith(f.listOpen)) {
              const j = this.skipWs(i + f.listOpen.length);
              if (j === buf.length) return;
              if (buf[j] === '{') return this.openSection(this.pos, i + f.listOpen.length, 'obj_start');
            }
          }
          if (after.startsWith(f.marker)) return this.openSection(this.pos, i + f.marker.length, 'open');
          if (f.marker.startsWith(after)) return; // the marker may be forming
          this.atStart = false;
          if (f.startOnly) {
            this.state = 'passthrough';
            return;
          }
        }
        const rest = buf.slice(this.pos);
        const m = rest.indexOf(f.marker);
        if (m >= 0) {
          const kept = rest.slice(0, m).trimEnd(); // whitespace right before a call is dropped
          this.content(kept);
          return this.openSection(this.pos + kept.length, this.pos + m + f.marker.length, 'open');
        }
        let hold = 0;
        for (let k = Math.min(f.marker.length - 1, rest.length); k > 0; k--)
          if (f.marker.startsWith(rest.slice(rest.length - k))) {
            hold = k;
            break;
          }
        const emit = rest.slice(0, rest.length - hold).trimEnd();
        this.content(emit);
        this.pos += emit.length;
        return;
      }
      case 'open': {
        const i = this.skipWs(this.pos);
        if (f.listOpen === '') {
          this.state = 'obj_start';
          return;
        }
        if (i === buf.length) return;
        if (buf.startsWith(f.listOpen, i)) {
          this.pos = i + f.listOpen.length;
          this.state = 'obj_start';
        } else this.release(i);
        return;
      }
      case 'obj_start': {
        const i = this.skipWs(this.pos);
        if (i === buf.length) return;
        if (buf[i] !== '{') return this.release(i);
        this.scan = {
          start: i,
          at: i + 1,
          depth: 1,
          inString: false,
          escaped: false,
          phase: 'key',
          keyStart: -1,
          key: null,
          valueStart: -1,
          name: null,
          args: null,
        };
        this.pos = i;
        this.state = 'obj';
        return;
      }
      case 'obj':
        return this.scanObject();
      case 'after': {
        const i = this.skipWs(this.pos);
        if (i === buf.length) return;
        const rest = buf.slice(i);
        if (f.separator !== null && rest.startsWith(f.separator)) {
          this.pos = i + f.separator.length;
          this.state = 'obj_start';
          return;
        }
        if (f.close !== '') {
          if (rest.startsWith(f.close)) {
            this.pos = i + f.close.length;
            this.state = f.startOnly ? 'passthrough' : 'text';
            return;
          }
          if (f.close.startsWith(rest)) return; // the closing tag may be forming
        }
        // Not another call nor the close: what follows is text around the calls.
        this.pos = i;
        this.state = f.startOnly ? 'passthrough' : 'text';
        return;
      }
    }
  }

  private openSection(sectionStart: number, next: number, state: State): void {
    this.sectionStart = sectionStart;
    this.pos = next;
    this.state = state;
    this.atStart = false;
  }

  /** Scans the call object from where it stopped; announces the call and streams its arguments. */
  private scanObject(): void {
    const s = this.scan!;
    const buf = this.buf;
    for (; s.at < buf.length; s.at++) {
      const c = buf[s.at]!;
      if (s.inString) {
        if (s.escaped) s.escaped = false;
        else if (c === '\\') s.escaped = true;
        else if (c === '"') {
          s.inString = false;
          if (s.depth === 1 && s.phase === 'key') {
            try {
              s.key = JSON.parse(buf.slice(s.keyStart, s.at + 1)) as string;
            } catch {
              s.key = null;
            }
            s.phase = 'colon';
          }
        }
        continue;
      }
      if (WS.test(c)) continue;
      if (s.depth === 1) {
        if (c === ':' && s.phase === 'colon') {
          s.phase = 'value_pending';
          continue;
        }
        if (c === ',' || c === '}') {
          if (s.phase === 'value' && !this.endValue(s.at)) return;
          if (c === '}') {
            s.at++;
            this.endObject();
            return;
          }
          s.phase = 'key';
          continue;
        }
        if (s.phase === 'value_pending') {
          s.phase = 'value';
          s.valueStart = s.at;
          if (s.key !== null && this.format.argsKeys.includes(s.key))
            s.args = { start: s.at, text: null, emitted: s.at };
        }
      }
      if (c === '"') {
        s.inString = true;
        if (s.depth === 1 && s.phase === 'key') s.keyStart = s.at;
      } else if (c === '{' || c === '[') s.depth++;
      else if (c === '}' || c === ']') s.depth--;
    }
    this.streamArgs();
  }

  /** A top-level value ended at `end` (exclusive). False when the section was released. */
  private endValue(end: number): boolean {
    const s = this.scan!;
    const raw = this.buf.slice(s.valueStart, end).trim();
    s.phase = 'comma';
    if (s.key === 'name' && s.name === null) {
      let name: unknown;
      try {
        name = JSON.parse(raw);
      } catch {
        name = null;
      }
      if (typeof name !== 'string' || !this.isKnown(name)) {
        this.release(end);
        return false;
      }
      s.name = name;
      this.out.push({ type: 'call_start', index: this.calls, id: this.newId(), name });
      this.announced = true;
    } else if (s.args && s.args.text === null && s.key !== null && this.format.argsKeys.includes(s.key)) {
      s.args.text = raw;
    }
    this.streamArgs();
    return true;
  }

  /** Emits the arguments text not yet emitted (an object's raw text; a JSON-string value waits for its end). */
  private streamArgs(): void {
    const s = this.scan;
    if (!s?.args || !this.announced || this.buf[s.args.start] === '"') return;
    const end = s.args.text !== null ? s.args.start + s.args.text.length : this.lastNonWs(s.at);
    if (end > s.args.emitted) {
      this.out.push({ type: 'call_args', index: this.calls, text: this.buf.slice(s.args.emitted, end) });
      s.args.emitted = end;
    }
  }

  /** End (exclusive) of the text before `at` without its trailing whitespace. */
  private lastNonWs(at: number): number {
    let e = Math.min(at, this.buf.length);
    while (e > 0 && WS.test(this.buf[e - 1]!)) e--;
    return e;
  }

  private endObject(): void {
    const s = this.scan!;
    const objectText = this.buf.slice(s.start, s.at);
    if (!this.announced) return this.release(s.at);
    let args = s.args?.text ?? null;
    try {
      JSON.parse(objectText);
      if (args === null) args = '{}';
      else if (args.startsWith('"')) args = JSON.parse(args) as string; // arguments sent as a JSON string
      const parsed: unknown = JSON.parse(args);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new Error('arguments is not a JSON object');
    } catch (err) {
      return this.fail(`the tool call ${s.name} is not valid JSON (${(err as Error).message})`);
    }
    if (!s.args || this.buf[s.args.start] === '"') this.out.push({ type: 'call_args', index: this.calls, text: args });
    this.out.push({ type: 'call_end', index: this.calls, arguments: args });
    this.calls++;
    this.announced = false;
    this.scan = null;
    this.pos = s.at;
    this.state = 'after';
  }
}
