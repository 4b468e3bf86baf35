// Bearer tokens compared in constant time: both sides are hashed to 32 bytes (so lengths never
// differ) and compared with timingSafeEqual. Used by the API keys, the metrics key and the admin key.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/** sha256 of a secret: what is kept in memory and compared. */
export const digestOf = (secret: string): Buffer => createHash('sha256').update(secret).digest();

/** The token of `Authorization: Bearer <token>`, or null when the header is missing or not a bearer. */
export function bearerToken(request: FastifyRequest): string | null {
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(request.headers.authorization ?? '');
  return m ? m[1] : null;
}

/** Constant-time equality of a presented token against one expected digest. */
export function tokenMatches(token: string, expected: Buffer): boolean {
  return timingSafeEqual(digestOf(token), expected);
}
