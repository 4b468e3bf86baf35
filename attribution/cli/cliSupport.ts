// What the settlement CLIs (claim, posters, verify-record) share: flag parsing, the sender key,
// JSON over HTTP from a server, and the chain id of an RPC. Keys are never printed.

import { readFileSync } from 'node:fs';
import type { Hex } from '../records/recordTypes.ts';

/**
 * `--flag value` pairs (a repeated flag keeps every value); `booleans` take no value. Other
 * arguments are kept under '_' when `positionals`, else they are an error.
 */
export function parseFlags(
  argv: string[],
  booleans: readonly string[],
  usage: string,
  positionals = false,
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (k: string, v: string) => out.set(k, [...(out.get(k) ?? []), v]);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      if (!positionals) throw new Error(`unexpected argument ${JSON.stringify(a)}\n${usage}`);
      add('_', a);
      continue;
    }
    if (booleans.includes(a.slice(2))) add(a.slice(2), 'true');
    else {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${usage}`);
      add(a.slice(2), v);
    }
  }
  return out;
}

/** The sender key from --key, or from --key-file (which keeps it out of the process list and shell history). */
export function senderKey(flags: Map<string, string[]>, usage: string): Hex {
  const file = flags.get('key-file')?.at(-1);
  const key = file !== undefined ? readFileSync(file, 'utf8').trim() : flags.get('key')?.at(-1);
  if (key === undefined || !/^0x[0-9a-fA-F]{64}$/.test(key))
    throw new Error(`--key (or the --key-file contents) must be 0x followed by 64 hex characters\n${usage}`);
  return key as Hex;
}

/** Every --server value, comma lists split, trailing slashes dropped. */
export function serverList(flags: Map<string, string[]>): string[] {
  return (flags.get('server') ?? [])
    .flatMap((s) => s.split(','))
    .filter((s) => s !== '')
    .map((s) => s.replace(/\/$/, ''));
}

export async function getJson(url: string): Promise<any> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const body: any = await res.json().catch(() => null);
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}: ${body?.error?.message ?? 'no error message'}`);
  return body;
}

export async function rpcChainId(rpcUrl: string): Promise<number> {
  const res = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
    signal: AbortSignal.timeout(10_000),
  });
  return Number(((await res.json()) as { result: string }).result);
}
