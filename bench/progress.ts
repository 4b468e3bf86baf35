// A one-line progress bar on stderr: [#####.....] 12/40 mixed-32-adapters/llama.cpp 3.1 min left.
// Redraws in place on a TTY; prints a plain line per update otherwise (logs stay readable).

export class ProgressBar {
  private done = 0;
  private readonly started = performance.now();

  constructor(
    private readonly total: number,
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly width = 28,
  ) {}

  /** Sets the label of the unit of work now running (does not advance). */
  label(text: string): void {
    this.draw(text);
  }

  /** Marks `n` more units done. */
  tick(text: string, n = 1): void {
    this.done = Math.min(this.total, this.done + n);
    this.draw(text);
  }

  render(text: string): string {
    const share = this.total ? this.done / this.total : 1;
    const filled = Math.round(share * this.width);
    const elapsed = (performance.now() - this.started) / 1000;
    const eta = this.done > 0 ? (elapsed / this.done) * (this.total - this.done) : NaN;
    const etaText = Number.isFinite(eta)
      ? ` ~${eta >= 90 ? `${(eta / 60).toFixed(1)} min` : `${Math.round(eta)} s`} left`
      : '';
    return `[${'#'.repeat(filled)}${'.'.repeat(this.width - filled)}] ${this.done}/${this.total} ${text} (${elapsed.toFixed(0)} s${etaText})`;
  }

  private draw(text: string): void {
    const line = this.render(text);
    if (this.out.isTTY) this.out.write(`\r\x1b[2K${line}`);
    else this.out.write(`${line}\n`);
  }

  finish(text = 'done'): void {
    this.draw(text);
    if (this.out.isTTY) this.out.write('\n');
  }
}
