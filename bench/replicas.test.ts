import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { proxyConfig, simulateHostHits } from './replicas.ts';

const shipped = readFileSync(new URL('../deploy/haproxy/haproxy.cfg', import.meta.url), 'utf8');

test('proxyConfig: N server lines after default-server; round robin drops the hashing, affinity keeps it', () => {
  const aff = proxyConfig(shipped, [9001, 9002, 9003, 9004], 'affinity');
  assert.deepEqual(
    aff.match(/^\s*server r\d+ .*$/gm)?.map((l) => l.trim()),
    [
      'server r1 127.0.0.1:9001 check',
      'server r2 127.0.0.1:9002 check',
      'server r3 127.0.0.1:9003 check',
      'server r4 127.0.0.1:9004 check',
    ],
  );
  assert.match(aff, /balance hash req\.body,json_query\('\$\.model'\)/);
  assert.match(aff, /hash-balance-factor 150/);
  const rr = proxyConfig(shipped, [9001], 'roundrobin');
  assert.match(rr, /^\s*balance roundrobin$/m);
  const directives = rr.split('\n').filter((l) => !l.trim().startsWith('#'));
  assert.ok(!directives.some((l) => /hash-type|hash-balance-factor|balance hash/.test(l)));
  assert.match(rr, /option http-buffer-request/);
});

test('simulateHostHits: hand-checkable cases', () => {
  const base = { replicas: 1, requests: 20_000, warmup: 1000, route: () => 0 };
  // a cache that holds every adapter: every request after warm-up hits
  assert.equal(simulateHostHits({ ...base, adapters: 2, alpha: 0, cacheSize: 2 }), 1);
  // one slot, two equally popular adapters: a hit is "same as the previous request", p = 1/2
  const half = simulateHostHits({ ...base, adapters: 2, alpha: 0, cacheSize: 1 });
  assert.ok(Math.abs(half - 0.5) < 0.02, `${half}`);
  // affinity: 4 adapters over 2 replicas with 2 entries each always hit; round robin sees all 4 in each cache of 2
  const o = { adapters: 4, alpha: 0, replicas: 2, cacheSize: 2, requests: 20_000, warmup: 1000 };
  assert.equal(simulateHostHits({ ...o, route: (a) => a % 2 }), 1);
  const rr = simulateHostHits({ ...o, route: (_a, i) => i % 2 });
  assert.ok(rr < 0.6, `${rr}`); // LRU of 2 over 4 uniform adapters: 1/2 is the independent-reference rate
});
