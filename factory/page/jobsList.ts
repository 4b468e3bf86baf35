/// <reference lib="dom" />
// Earlier jobs (browser code): the newest 20, each with its status and model, to watch again,
// resume when paused or cancel while unfinished.
import { FINAL_STATUSES, jobAction, listJobs, type Job } from './api.js';
import { byId, guarded, h } from './dom.js';

export class JobsList {
  private readonly body = byId<HTMLTableElement>('jobs').tBodies[0]!;

  constructor(private readonly watch: (id: string) => void) {
    byId('jobs-refresh').addEventListener(
      'click',
      guarded('Listing jobs', () => this.refresh()),
    );
  }

  async refresh(current: string | null = null): Promise<void> {
    const jobs = await listJobs();
    this.body.replaceChildren(
      ...(jobs.length
        ? jobs.map((j) => this.row(j, j.id === current))
        : [h('tr', {}, h('td', { className: 'muted', colspan: 6 }, 'No jobs yet.'))]),
    );
  }

  private row(j: Job, current: boolean): HTMLTableRowElement {
    const button = (label: string, act: () => Promise<void> | void) => {
      const b = h('button', { type: 'button' }, label);
      b.addEventListener('click', guarded(`${label} ${j.id}`, act));
      return b;
    };
    const actions = [button('Watch', () => this.watch(j.id))];
    if (j.status === 'paused')
      actions.push(
        button('Resume', async () => {
          await jobAction(j.id, 'resume');
          this.watch(j.id);
        }),
      );
    if (!FINAL_STATUSES.includes(j.status))
      actions.push(
        button('Cancel', async () => {
          await jobAction(j.id, 'cancel');
          await this.refresh(current ? j.id : null);
        }),
      );
    const steps = j.total_steps ? `${j.step ?? 0} / ${j.total_steps}` : '';
    return h(
      'tr',
      { className: current ? 'current' : '', 'data-job': j.id },
      h('td', { title: j.id }, h('code', {}, j.id)),
      h('td', {}, new Date(j.created_at * 1000).toLocaleString()),
      h('td', {}, h('span', { className: `badge ${j.status}` }, j.status.replace('_', ' '))),
      h('td', {}, j.fine_tuned_model ? h('code', {}, j.fine_tuned_model) : h('span', { className: 'muted' }, j.model)),
      h('td', { className: 'num-col' }, steps),
      h('td', { className: 'num-col actions-col' }, ...actions),
    );
  }
}
