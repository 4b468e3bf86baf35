// The watchdog on a plain Node server (Node's own headersTimeout at its 60 s default, so only the
// watchdog can close the socket in this test): a silent socket is destroyed after the header
// timeout, a socket that sent its request is not, and the sweep reports what it cut off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { startSocketWatchdog, type SweepReport } from './socketWatchdog.ts';

test('a silent socket is cut off after the header timeout and the sweep says so; one that spoke is left open', async () => {
  const server = createServer((_req, res) => res.end('ok'));
  const reports: SweepReport[] = [];
  const watchdog = startSocketWatchdog(server, {
    headerTimeoutSeconds: 0.5,
    sendTimeoutSeconds: 30,
    sweepMs: 50,
    onCutOff: (r) => reports.push(r),
  });
  server.on('request', (req) => watchdog.spoke(req.socket)); // the app does this from its onRequest hook
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const silent = connect(port, '127.0.0.1');
  const talker = connect(port, '127.0.0.1');
  for (const s of [silent, talker]) s.on('error', () => {});
  talker.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  talker.resume();
  const t0 = Date.now();
  await new Promise((r) => silent.once('close', r));
  assert.ok(Date.now() - t0 >= 400, `closed after ${Date.now() - t0} ms`);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(talker.destroyed, false, 'a socket whose request arrived stays open (keep-alive)');
  assert.deepEqual(watchdog.cutOff, { silent: 1, stalled: 0 });
  assert.deepEqual(reports, [{ silent: 1, stalled: 0, open: 1, waitingForHeaders: 0 }]);
  talker.destroy();
  watchdog.stop();
  await new Promise((r) => server.close(r));
});
