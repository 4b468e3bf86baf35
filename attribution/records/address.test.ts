import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getAddress } from 'viem';
import { checksumAddress, isValidAddress, normaliseAddress } from './address.ts';
import { LoraledgerError } from '../../common/index.ts';

const addr = '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed';

test('checksumAddress matches viem getAddress (EIP-55)', () => {
  assert.equal(checksumAddress(addr), '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed');
  for (let i = 0; i < 20; i++) {
    const a = `0x${Array.from({ length: 40 }, (_, j) => ((i * 7 + j * 13) % 16).toString(16)).join('')}`;
    assert.equal(checksumAddress(a), getAddress(a));
  }
});

test('isValidAddress: lowercase, uppercase and correct checksum pass; broken checksum and bad shapes fail', () => {
  assert.ok(isValidAddress(addr));
  assert.ok(isValidAddress(`0x${addr.slice(2).toUpperCase()}`));
  assert.ok(isValidAddress('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed'));
  assert.ok(!isValidAddress('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD')); // last letter case flipped
  for (const bad of ['', '0x', addr.slice(0, 41), `${addr}0`, addr.replace('a', 'g'), addr.slice(2), 42, null])
    assert.ok(!isValidAddress(bad));
});

test('normaliseAddress returns lowercase or throws invalid_request naming the field', () => {
  assert.equal(normaliseAddress('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed', 'contributor'), addr);
  for (const bad of ['0x123', '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD', 7]) {
    assert.throws(
      () => normaliseAddress(bad, 'contributor'),
      (e: unknown) =>
        e instanceof LoraledgerError && e.code === 'invalid_request' && e.param === 'contributor' && e.status === 400,
    );
  }
});
