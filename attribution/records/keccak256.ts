// keccak256 (the Ethereum hash, not NIST SHA3-256) from @noble/hashes, the audited implementation
// viem itself uses, imported directly so record building and DataNet ids need no viem.
import { keccak_256 } from '@noble/hashes/sha3';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import type { Hex } from './recordTypes.ts';

/** keccak256 of bytes (or the UTF-8 of a string) as 0x + 64 lowercase hex. */
export function keccak256(input: Uint8Array | string): Hex {
  return `0x${bytesToHex(keccak_256(typeof input === 'string' ? utf8ToBytes(input) : input))}`;
}
