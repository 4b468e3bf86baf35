/// <reference lib="dom" />
// Step 6, whose data trained the adapter (browser code): GET .../provenance, the training manifest
// of the adapter's loraledger.json grouped by contributor, as a table with each one's share.
import { provenance, type Job } from './api.js';
import { byId, h, short } from './dom.js';

export class ProvenanceStep {
  private shown: string | null = null;
  private readonly table = byId<HTMLTableElement>('contributors');
  private readonly summary = byId('provenance-summary');

  async show(job: Job | null): Promise<void> {
    const id = job?.status === 'succeeded' ? job.id : null;
    if (id === this.shown) return;
    this.shown = id;
    this.table.hidden = true;
    if (!id) {
      this.summary.textContent = 'Contributors appear here once the job has succeeded.';
      return;
    }
    const p = await provenance(id);
    if (this.shown !== id) return;
    const total = p.contributors.reduce((n, c) => n + c.examples, 0);
    const hash = p.training_manifest_hash ? ` · manifest ${short(p.training_manifest_hash, 10)}` : '';
    this.summary.textContent =
      `${total} training examples from ${p.contributors.length} contributor` +
      `${p.contributors.length === 1 ? '' : 's'} trained ${p.fine_tuned_model}${hash}`;
    const rows = p.contributors.map((c) => {
      const bar = h('div', { className: 'share' });
      bar.style.width = `${(100 * c.examples) / Math.max(1, total)}%`;
      return h(
        'tr',
        { 'data-contributor': c.contributor ?? '' },
        h('td', {}, c.contributor ? h('code', { title: c.contributor }, c.contributor) : 'uploader (no owner set)'),
        h('td', {}, c.datanets.length ? c.datanets.join(', ') : h('span', { className: 'muted' }, 'uploaded file')),
        h('td', { className: 'num-col' }, c.examples),
        h('td', {}, bar),
      );
    });
    this.table.tBodies[0]!.replaceChildren(...rows);
    this.table.hidden = false;
  }
}
