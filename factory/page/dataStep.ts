/// <reference lib="dom" />
// Step 1, the training data (browser code): an uploaded JSONL file (and an optional validation file)
// or a DataNet, each with a preview of its first rows.
import { listDatanets, listDocuments, uploadFile, type FileObject } from './api.js';
import { byId, guarded, h, short, showError } from './dom.js';

const PREVIEW_ROWS = 5;

/** One preview row: [left, right] cells (prompt and completion, or contributor and text). */
type PreviewRow = [string, string];

interface Uploaded {
  file: FileObject;
  rows: number;
  prompts: string[];
}

/** A JSONL line as preview cells, and its prompt (for the comparison) when it has one. */
function describeRow(line: string): { cells: PreviewRow; prompt?: string } {
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return { cells: [line, '(not JSON: the server will name this line)'] };
  }
  if (typeof r.prompt === 'string') return { cells: [r.prompt, String(r.completion ?? '')], prompt: r.prompt };
  if (Array.isArray(r.messages)) {
    const msgs = r.messages as Array<{ role?: string; content?: unknown }>;
    const asked = msgs.filter((m) => m.role !== 'assistant').map((m) => `${m.role}: ${m.content}`);
    const replies = msgs.filter((m) => m.role === 'assistant').map((m) => String(m.content));
    const prompt = msgs.findLast((m) => m.role === 'user')?.content;
    return { cells: [asked.join('\n'), replies.join('\n')], prompt: typeof prompt === 'string' ? prompt : undefined };
  }
  return { cells: [typeof r.text === 'string' ? r.text : line, ''] };
}

export class DataStep {
  private training: Uploaded | null = null;
  private validation: FileObject | null = null;
  private datanetPrompts: string[] = [];
  private lastFileRows: PreviewRow[] = [];
  private readonly preview = byId<HTMLTableElement>('data-preview');
  private readonly datanet = byId<HTMLSelectElement>('datanet');

  constructor(private readonly onChange: () => void) {
    for (const radio of Array.from(document.querySelectorAll<HTMLInputElement>('input[name="source"]')))
      radio.addEventListener(
        'change',
        guarded('Switching the data source', () => this.showSource()),
      );
    byId<HTMLInputElement>('training-file').addEventListener(
      'change',
      guarded('Uploading the training file', (e: Event) => this.uploadTraining(e.target as HTMLInputElement)),
    );
    byId<HTMLInputElement>('validation-file').addEventListener(
      'change',
      guarded('Uploading the validation file', (e: Event) => this.uploadValidation(e.target as HTMLInputElement)),
    );
    this.datanet.addEventListener(
      'change',
      guarded('Previewing the DataNet', () => this.previewDatanet()),
    );
  }

  get source(): 'file' | 'datanet' {
    return document.querySelector<HTMLInputElement>('input[name="source"]:checked')?.value === 'datanet'
      ? 'datanet'
      : 'file';
  }

  async loadDatanets(): Promise<void> {
    let list: Awaited<ReturnType<typeof listDatanets>> = [];
    try {
      list = await listDatanets();
    } catch (err) {
      if ((err as { status?: number }).status !== 404) showError('Listing DataNets', err);
    }
    this.datanet.replaceChildren(
      ...(list.length
        ? list.map((d) =>
            h(
              'option',
              { value: d.id, 'data-documents': d.documents },
              `${d.title ?? d.id} (${d.documents} documents)`,
            ),
          )
        : [h('option', { value: '' }, 'no DataNets on this server')]),
    );
    if (this.source === 'datanet') await this.previewDatanet();
  }

  /** The job body's data fields; throws a message for the user when nothing is chosen yet. */
  selection(): Record<string, unknown> {
    if (this.source === 'datanet') {
      if (!this.datanet.value) throw new Error('pick a DataNet first');
      return { training_data: { datanets: [this.datanet.value] } };
    }
    if (!this.training) throw new Error('upload a training file first');
    return { training_file: this.training.file.id, ...(this.validation && { validation_file: this.validation.id }) };
  }

  /** How many rows the chosen data has (null: nothing chosen yet). */
  rowCount(): number | null {
    if (this.source === 'file') return this.training?.rows ?? null;
    const option = this.datanet.selectedOptions[0];
    return option?.value ? Number(option.dataset.documents) : null;
  }

  /** A few prompts from the chosen data, for the side-by-side comparison. */
  samplePrompts(n = 3): string[] {
    return (this.source === 'file' ? (this.training?.prompts ?? []) : this.datanetPrompts).slice(0, n);
  }

  private async showSource(): Promise<void> {
    byId('source-file').hidden = this.source !== 'file';
    byId('source-datanet').hidden = this.source !== 'datanet';
    if (this.source === 'datanet') await this.previewDatanet();
    else this.renderPreview(['Prompt', 'Completion'], this.training ? null : []);
    this.onChange();
  }

  private async uploadTraining(input: HTMLInputElement): Promise<void> {
    const info = byId('training-file-info');
    this.training = null;
    const file = input.files?.[0];
    if (!file) return;
    info.textContent = `Uploading ${file.name}…`;
    const lines = (await file.text()).split('\n').filter((l) => l.trim() !== '');
    const rows = lines.map(describeRow);
    this.lastFileRows = rows.slice(0, PREVIEW_ROWS).map((r) => r.cells);
    this.renderPreview(['Prompt', 'Completion'], this.lastFileRows);
    try {
      const uploaded = await uploadFile(file);
      this.training = {
        file: uploaded,
        rows: lines.length,
        prompts: rows.flatMap((r) => (r.prompt ? [r.prompt] : [])),
      };
      info.textContent = `${uploaded.id} · ${uploaded.filename} · ${lines.length} rows · ${uploaded.bytes} bytes`;
    } catch (err) {
      info.textContent = 'Upload failed.';
      throw err;
    } finally {
      this.onChange();
    }
  }

  private async uploadValidation(input: HTMLInputElement): Promise<void> {
    const info = byId('validation-file-info');
    this.validation = null;
    const file = input.files?.[0];
    if (!file) return;
    info.textContent = `Uploading ${file.name}…`;
    try {
      this.validation = await uploadFile(file);
      info.textContent = `${this.validation.id} · ${this.validation.filename} · ${this.validation.bytes} bytes`;
    } catch (err) {
      info.textContent = 'Upload failed.';
      throw err;
    }
  }

  private async previewDatanet(): Promise<void> {
    const id = this.datanet.value;
    if (!id) return this.renderPreview(['Contributor', 'Text'], []);
    const docs = await listDocuments(id, PREVIEW_ROWS);
    this.datanetPrompts = docs.map((d) => d.text.split(/\s+/).slice(0, 8).join(' '));
    this.renderPreview(
      ['Contributor', 'Text'],
      docs.map((d) => [short(d.contributor), d.text]),
    );
    this.onChange();
  }

  /** rows null: keep the last file preview. */
  private renderPreview(head: PreviewRow, rows: PreviewRow[] | null): void {
    const shown = rows ?? this.lastFileRows;
    const body = shown.length
      ? shown.map(([a, b]) => h('tr', {}, h('td', {}, a), h('td', {}, b)))
      : [h('tr', {}, h('td', { className: 'muted', colspan: 2 }, 'Nothing to preview yet.'))];
    this.preview.replaceChildren(
      h('thead', {}, h('tr', {}, h('th', {}, head[0]), h('th', {}, head[1]))),
      h('tbody', {}, ...body),
    );
  }
}
