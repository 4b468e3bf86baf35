/// <reference lib="dom" />
// The ModelFactory page's entry (browser code, served as /factory/main.js): wires the steps
// together. Data (1) and settings (2) make a job request; the monitor (3) follows the job; once it
// has succeeded, the comparison and chat (4, 5) and its contributors (6) show its adapter. The
// API key field (apiKey.ts) reloads the page's data when a key is entered.
import { createJob, type Job } from './api.js';
import { byId, clearError, guarded, showError } from './dom.js';
import { DataStep } from './dataStep.js';
import { SettingsStep } from './settingsStep.js';
import { JobMonitor } from './jobMonitor.js';
import { JobsList } from './jobsList.js';
import { TryStep } from './tryStep.js';
import { ProvenanceStep } from './provenanceStep.js';
import { KeyField } from './apiKey.js';

const data = new DataStep(() => {
  tryStep.suggest(data.samplePrompts());
  showPlan();
});
const settings = new SettingsStep();
const showPlan = () => (byId('plan').textContent = settings.plan(data.rowCount()));
settings.onChange(showPlan);
const tryStep = new TryStep();
const provenanceStep = new ProvenanceStep();
let lastStatus = '';
const monitor = new JobMonitor({
  onUpdate(job: Job) {
    if (job.status !== lastStatus) guarded('Listing jobs', () => jobs.refresh(job.id))();
    lastStatus = job.status;
  },
  onFinished(job: Job) {
    guarded('Showing the new adapter', () => tryStep.show(job))();
    guarded('Loading the contributors', () => provenanceStep.show(job))();
    guarded('Reading the server', () => header())();
  },
});
const jobs = new JobsList((id) => watch(id));

function watch(id: string): void {
  lastStatus = '';
  guarded('Clearing the last adapter', async () => {
    await tryStep.show(null);
    await provenanceStep.show(null);
  })();
  monitor.watch(id);
}

async function header(): Promise<void> {
  const { base, adapters } = await settings.loadModels();
  byId('server-info').textContent = `${base} · ${adapters} adapter${adapters === 1 ? '' : 's'} served`;
  showPlan();
}

byId('error-close').addEventListener('click', clearError);
byId('start').addEventListener(
  'click',
  guarded('Starting the job', async () => {
    clearError();
    const start = byId<HTMLButtonElement>('start');
    start.disabled = true;
    try {
      const job = await createJob(settings.jobBody(data.selection()));
      watch(job.id);
      await jobs.refresh(job.id);
    } finally {
      start.disabled = false;
    }
  }),
);

/** What the page reads from the server: at load, and again when the API key changes. */
function load(): void {
  Promise.all([header(), data.loadDatanets(), jobs.refresh()]).catch((err: unknown) =>
    showError('Loading the page', err),
  );
}

new KeyField(() => {
  clearError();
  load();
});
load();
