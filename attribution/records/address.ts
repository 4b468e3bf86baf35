// Contributor / owner addresses: checked with EIP-55 rules and stored lowercase (pure: keccak256
// from this folder, no viem). Accepted: 0x + 40 hex, all-lowercase, all-uppercase, or mixed case
// whose capitalisation is the EIP-55 checksum (a mistyped checksummed address is refused).

import { RequestError } from '../../common/index.ts';
import { keccak256 } from './keccak256.ts';
import type { Address } from './recordTypes.ts';

const HEX40 = /^0x[0-9a-fA-F]{40}$/;

/** EIP-55 checksummed spelling of a valid address. */
export function checksumAddress(address: string): Address {
  const lower = address.toLowerCase().slice(2);
  const hash = keccak256(lower).slice(2);
  let out = '0x';
  for (let i = 0; i < 40; i++) out += parseInt(hash[i]!, 16) >= 8 ? lower[i]!.toUpperCase() : lower[i];
  return out as Address;
}

/** True for a well-formed address whose mixed case (if any) is a valid EIP-55 checksum. */
export function isValidAddress(value: unknown): value is Address {
  if (typeof value !== 'string' || !HEX40.test(value)) return false;
  const body = value.slice(2);
  if (body === body.toLowerCase() || body === body.toUpperCase()) return true;
  return checksumAddress(value) === value;
}

/** Validates and returns the lowercase address; throws invalid_request naming `param`. */
export function normaliseAddress(value: unknown, param: string): Address {
  if (typeof value !== 'string' || !HEX40.test(value)) {
    throw new RequestError('invalid_request', `${param} must be an address: 0x followed by 40 hex characters`, {
      param,
    });
  }
  if (!isValidAddress(value)) {
    throw new RequestError(
      'invalid_request',
      `${param} has mixed case that is not a valid EIP-55 checksum (mistyped address?)`,
      { param },
    );
  }
  return value.toLowerCase() as Address;
}
