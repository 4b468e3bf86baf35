/// <reference lib="dom" />
// Steps 4 and 5, trying the new adapter (browser code): base and tuned completions side by side
// (greedy), the adapter's live id with a request to copy, and a chat with it.
import { chat, complete, listModels, type ChatMessage, type Job } from './api.js';
import { byId, guarded, h } from './dom.js';

export class TryStep {
  private tuned: string | null = null;
  private base = '';
  private history: ChatMessage[] = [];
  private readonly prompts = byId<HTMLTextAreaElement>('compare-prompts');

  constructor() {
    byId('compare').addEventListener(
      'click',
      guarded('Comparing', () => this.compare()),
    );
    byId('chat-form').addEventListener(
      'submit',
      guarded('Chatting', (e: Event) => {
        e.preventDefault();
        return this.send();
      }),
    );
    this.prompts.addEventListener('input', () => (this.prompts.dataset.edited = 'yes'));
  }

  /** Prefills the comparison prompts from the training data, unless the user wrote some. */
  suggest(prompts: string[]): void {
    if (this.prompts.dataset.edited !== 'yes' && prompts.length) this.prompts.value = prompts.join('\n');
  }

  /** A succeeded job's adapter becomes the tuned side and the chat partner; any other job clears them. */
  async show(job: Job | null): Promise<void> {
    const model = job?.status === 'succeeded' ? job.fine_tuned_model : null;
    if (model === this.tuned) return;
    this.tuned = model;
    this.base = job?.model ?? '';
    this.history = [];
    byId('chat-log').replaceChildren();
    byId<HTMLTableElement>('compare-table').hidden = true;
    for (const id of ['compare', 'chat-input', 'chat-send']) byId<HTMLInputElement>(id).disabled = !model;
    byId('deployed').hidden = !model;
    byId('deploy-info').hidden = !!model;
    if (!model) return;
    byId('deployed-id').textContent = model;
    byId('deployed-snippet').textContent =
      `curl ${location.origin}/v1/chat/completions -H 'content-type: application/json' \\\n` +
      `  -d '{"model": "${model}", "messages": [{"role": "user", "content": "hello"}]}'`;
    const card = (await listModels()).find((m) => m.id === model);
    const state = byId('deployed-state');
    state.textContent = card ? `serving (${card.loraledger?.state ?? 'registered'})` : 'not listed';
    state.className = `badge ${card ? 'ok' : 'failed'}`;
  }

  private async compare(): Promise<void> {
    if (!this.tuned) return;
    const tuned = this.tuned;
    const lines = this.prompts.value.split('\n').filter((l) => l.trim() !== '');
    if (lines.length === 0) throw new Error('write at least one prompt, one per line');
    const maxTokens = Number(byId<HTMLInputElement>('compare-max-tokens').value) || 16;
    const table = byId<HTMLTableElement>('compare-table');
    byId('compare-base-head').textContent = `Base · ${this.base}`;
    byId('compare-tuned-head').textContent = `Tuned · ${tuned}`;
    const body = table.tBodies[0]!;
    body.replaceChildren();
    table.hidden = false;
    for (const prompt of lines) {
      const [a, b] = await Promise.all([complete(this.base, prompt, maxTokens), complete(tuned, prompt, maxTokens)]);
      body.append(
        h('tr', {}, h('td', {}, prompt), h('td', { className: 'base' }, a), h('td', { className: 'tuned' }, b)),
      );
    }
  }

  private async send(): Promise<void> {
    const input = byId<HTMLInputElement>('chat-input');
    const text = input.value.trim();
    if (!this.tuned || !text) return;
    const model = this.tuned;
    input.value = '';
    this.history.push({ role: 'user', content: text });
    this.bubble('user', 'you', text);
    let reply: string;
    try {
      reply = await chat(model, this.history);
    } catch (err) {
      this.history.pop(); // unanswered: not part of the conversation
      throw err;
    }
    if (model !== this.tuned) return;
    this.history.push({ role: 'assistant', content: reply });
    this.bubble('assistant', model, reply);
  }

  private bubble(role: 'user' | 'assistant', who: string, text: string): void {
    const log = byId('chat-log');
    log.append(h('div', { className: `msg ${role}` }, h('span', { className: 'who' }, who), text));
    log.scrollTop = log.scrollHeight;
  }
}
