// The server's record-signing key: from config when given, else generated once and stored in the
// data dir (`<dataDir>/signer.key`, mode 0600) for the local default. The key never appears in
// messages or logs; errors name the file, not its contents.

import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AttributionError } from '../../common/index.ts';
import type { Hex } from './recordTypes.ts';

/** secp256k1 group order: a private key k must satisfy 0 < k < N. */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const KEY = /^0x[0-9a-fA-F]{64}$/;

export interface SignerKeyOptions {
  /** Key from config (0x + 64 hex); when set, nothing is read or written on disk. */
  key?: string;
  /** Data dir holding `signer.key`; created (0700) when missing. */
  dataDir: string;
}

export const SIGNER_KEY_FILE = 'signer.key';

function checkKey(key: string, where: string): Hex {
  const k = key.trim();
  if (!KEY.test(k))
    throw new AttributionError('record_invalid', `signer key in ${where} is not 0x followed by 64 hex characters`);
  const n = BigInt(k);
  if (n === 0n || n >= SECP256K1_N)
    throw new AttributionError('record_invalid', `signer key in ${where} is out of the secp256k1 range`);
  return k.toLowerCase() as Hex;
}

function generate(): Hex {
  for (;;) {
    const n = BigInt(`0x${randomBytes(32).toString('hex')}`);
    if (n > 0n && n < SECP256K1_N) return `0x${n.toString(16).padStart(64, '0')}`;
  }
}

/** Returns the signing key (config first, else the stored file, else a new stored one). */
export function loadOrCreateSignerKey(opts: SignerKeyOptions): Hex {
  if (opts.key !== undefined && opts.key !== '') return checkKey(opts.key, 'config');
  const path = join(opts.dataDir, SIGNER_KEY_FILE);
  if (existsSync(path)) {
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) !== 0) chmodSync(path, 0o600); // tighten a key file others could read
    return checkKey(readFileSync(path, 'utf8'), path);
  }
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const key = generate();
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${key}\n`, { mode: 0o600, flag: 'wx' });
  renameSync(tmp, path); // atomic: a crash leaves either no key file or a whole one
  return key;
}
