/// <reference lib="dom" />
// Step 3, following one job (browser code): polls the job and its new events every second, and
// draws the progress bar (step / total_steps, ETA from estimated_finish), the loss chart (metrics
// events) and the event log; pause, resume and cancel act on the followed job.
import { FINAL_STATUSES, getJob, jobAction, newEvents, type Job, type JobEvent } from './api.js';
import { byId, duration, guarded, h, showError } from './dom.js';
import { drawLossChart, type LossPoint } from './lossChart.js';

const POLL_MS = 1000;
const LOG_ROWS = 60;

export interface MonitorHooks {
  /** Every refresh of the followed job. */
  onUpdate(job: Job): void;
  /** Once, when the followed job reaches succeeded, failed or cancelled. */
  onFinished(job: Job): void;
}

export class JobMonitor {
  private job: Job | null = null;
  private generation = 0; // bumped on watch(): answers for an earlier job are dropped
  private known = new Set<string>();
  private train: LossPoint[] = [];
  private valid: LossPoint[] = [];
  private events: JobEvent[] = []; // newest first

  constructor(private readonly hooks: MonitorHooks) {
    for (const action of ['pause', 'resume', 'cancel'] as const)
      byId<HTMLButtonElement>(action).addEventListener(
        'click',
        guarded(`${action[0]!.toUpperCase()}${action.slice(1)} the job`, async () => {
          if (!this.job) return;
          const gen = this.generation;
          const job = await jobAction(this.job.id, action);
          if (gen === this.generation) this.render(job); // the poll loop goes on until a final status
        }),
      );
  }

  get current(): Job | null {
    return this.job;
  }

  /** Follows this job from now on, until it reaches a final status or another job is watched. */
  watch(id: string): void {
    const gen = ++this.generation;
    this.job = null;
    this.known = new Set();
    this.train = [];
    this.valid = [];
    this.events = [];
    byId('job-id').textContent = id;
    void this.poll(id, gen);
  }

  private async poll(id: string, gen: number): Promise<void> {
    let final = false;
    try {
      const job = await getJob(id);
      const fresh = await newEvents(id, this.known);
      if (gen !== this.generation) return;
      this.take(fresh);
      final = FINAL_STATUSES.includes(job.status);
      this.render(job);
      this.hooks.onUpdate(job);
      if (final) this.hooks.onFinished(job);
    } catch (err) {
      if (gen === this.generation) showError('Following the job', err);
    }
    if (!final && gen === this.generation) setTimeout(() => void this.poll(id, gen), POLL_MS);
  }

  private take(fresh: JobEvent[]): void {
    for (const e of fresh) {
      this.known.add(e.id);
      const d = e.data;
      if (e.type !== 'metrics' || !d || typeof d.step !== 'number') continue;
      if (typeof d.train_loss === 'number') this.train.push({ step: d.step, loss: d.train_loss });
      if (typeof d.valid_loss === 'number') this.valid.push({ step: d.step, loss: d.valid_loss });
    }
    this.events = [...fresh, ...this.events].slice(0, LOG_ROWS);
  }

  private render(job: Job): void {
    this.job = job;
    const status = byId('job-status');
    status.textContent = job.status.replace('_', ' ');
    status.className = `badge ${job.status}`;
    const done = job.status === 'succeeded';
    const step = job.step ?? 0;
    const total = job.total_steps ?? 0;
    const pct = done ? 100 : total ? Math.min(100, (100 * step) / total) : 0;
    const bar = byId('progress');
    bar.setAttribute('aria-valuenow', pct.toFixed(0));
    bar.dataset.status = job.status;
    bar.classList.toggle('done', done);
    byId('progress-bar').style.width = `${pct}%`;
    byId('progress-text').textContent = this.progressText(job, pct);

    const active = job.status === 'running' || job.status === 'queued' || job.status === 'validating_files';
    byId<HTMLButtonElement>('pause').disabled = !(job.status === 'running' || job.status === 'queued');
    byId<HTMLButtonElement>('resume').disabled = job.status !== 'paused';
    byId<HTMLButtonElement>('cancel').disabled = !(active || job.status === 'paused');

    drawLossChart(byId('loss-chart') as unknown as SVGSVGElement, this.train, this.valid, job.total_steps);
    byId('event-log').replaceChildren(
      ...this.events.map((e) =>
        h(
          'li',
          { className: `level-${e.level}` },
          h('time', {}, new Date(e.created_at * 1000).toLocaleTimeString()),
          e.message,
        ),
      ),
    );
  }

  private progressText(job: Job, pct: number): string {
    const steps = job.total_steps ? `Step ${job.step ?? 0} / ${job.total_steps} · ${pct.toFixed(0)} %` : '';
    const tokens = job.trained_tokens ? ` · ${job.trained_tokens.toLocaleString()} tokens` : '';
    switch (job.status) {
      case 'validating_files':
        return 'Validating the training data…';
      case 'queued':
        return `Queued behind other jobs${steps && ` · ${steps}`}`;
      case 'running': {
        const left = job.estimated_finish !== null ? job.estimated_finish - Date.now() / 1000 : null;
        return `${steps || 'Starting…'}${left !== null ? ` · ETA ${duration(left)}` : ''}${tokens}`;
      }
      case 'paused':
        return `Paused at ${steps || 'the start'}: resume picks up from the last checkpoint`;
      case 'succeeded':
        return `Done: ${job.total_steps ?? job.step ?? 0} steps${tokens} · ${job.fine_tuned_model}`;
      case 'failed':
        return `Failed: ${job.error?.message ?? 'no reason given'}`;
      case 'cancelled':
        return `Cancelled${steps && ` at ${steps}`}`;
    }
  }
}
