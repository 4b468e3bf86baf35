// The CLI as a user runs it: --help, a bad flag, and `npm start` with no model flags serving the
// embedded default, then SIGTERM while two streams are in flight: the short one finishes, the
// long one is cancelled at --shutdown-deadline, and the process exits 0.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_DOMAINS } from '../factory/index.ts';

const root = new URL('..', import.meta.url).pathname;
const cli = ['--import', 'tsx', 'server/cli.ts'];
const tmp = mkdtempSync(join(tmpdir(), 'loraledger-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('--help lists the flags with defaults; a bad flag exits 2 naming it', () => {
  const help = spawnSync(process.execPath, [...cli, '--help'], { cwd: root, encoding: 'utf8' });
  assert.equal(help.status, 0);
  for (const f of [
    '--model',
    '--adapters',
    '--port  (default 8000',
    '--max-lora-rank  (default 16',
    '--admin-key',
    '--shutdown-deadline',
  ])
    assert.ok(help.stdout.includes(f), f);
  const bad = spawnSync(process.execPath, [...cli, '--max-lora-rank', 'big'], { cwd: root, encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--max-lora-rank: expected a number, got "big"/);
});

function listening(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d) => {
      buf += String(d);
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(buf);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code} before listening: ${buf}`)));
  });
}

async function readSse(res: Response): Promise<{ finish: string | null; done: boolean }> {
  const text = await res.text();
  let finish: string | null = null;
  for (const frame of text.split('\n\n')) {
    if (!frame.startsWith('data: {')) continue;
    const c = JSON.parse(frame.slice(6)) as { choices: Array<{ finish_reason: string | null }> };
    finish = c.choices[0]?.finish_reason ?? finish;
  }
  return { finish, done: text.trimEnd().endsWith('data: [DONE]') };
}

test('no model flags: serves the embedded default; SIGTERM drains, cancels at the deadline, exits 0', async () => {
  const child = spawn(
    process.execPath,
    [
      ...cli,
      '--port',
      '0',
      '--cache-dir',
      join(tmp, 'cache'),
      '--data-dir',
      join(tmp, 'data'),
      '--chain',
      'off',
      '--shutdown-deadline',
      '1',
      '--embedded-profile',
      'quick',
      '--threads',
      '1',
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    const base = await listening(child);
    for (let i = 0; i < 200; i++) {
      if ((await fetch(`${base}/health`)).status === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const models = (await (await fetch(`${base}/v1/models`)).json()) as { data: Array<{ id: string }> };
    assert.deepEqual(models.data.map((m) => m.id).sort(), [
      'auto',
      'contracts-law',
      'cooking',
      'dermatology',
      'loraledger-demo',
      'python-code',
    ]);
    // the demo DataNets are seeded into the store on start, with their contributors' documents
    const datanets = (await (await fetch(`${base}/v1/datanets`)).json()) as {
      data: Array<{ id: string; documents: number }>;
    };
    assert.deepEqual(datanets.data.map((d) => d.id).sort(), DEMO_DOMAINS.map((d) => d.datanet).sort());
    assert.ok(datanets.data.every((d) => d.documents > 0));
    const stream = (model: string, maxTokens: number) =>
      fetch(`${base}/v1/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model, prompt: 'Hello', max_tokens: maxTokens, ignore_eos: true, stream: true }),
      });
    const short = await stream('cooking', 8);
    const long = await stream('loraledger-demo', 4000);
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    const late = await fetch(`${base}/v1/models`); // still listening while draining: refused in OpenAI's shape
    assert.equal(late.status, 503);
    assert.equal(((await late.json()) as { error: { code: string } }).error.code, 'shutting_down');
    const [s, l] = await Promise.all([readSse(short), readSse(long)]);
    assert.deepEqual(s, { finish: 'length', done: true });
    assert.equal(l.done, true);
    assert.equal(l.finish, 'cancelled', 'the long stream was cancelled at the deadline');
    assert.equal(await exited, 0);
  } finally {
    child.kill('SIGKILL');
  }
});
