// Admin routes need `Authorization: Bearer <admin key>`. No key configured: 403 admin_disabled;
// missing or wrong key: 401 unauthorized. The comparison is constant-time; the key is never logged.
import type { FastifyRequest } from 'fastify';
import { RequestError } from '../../common/index.ts';
import { digestOf, tokenMatches } from '../security/bearer.ts';

export function makeAdminGuard(adminKey: string | undefined): (request: FastifyRequest) => Promise<void> {
  const expected = adminKey === undefined ? null : digestOf(adminKey);
  return async (request) => {
    if (expected === null) {
      throw new RequestError(
        'admin_disabled',
        'Admin routes are disabled: start the server with --admin-key (or LORALEDGER_ADMIN_KEY) to enable them.',
      );
    }
    const h = request.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(h);
    if (!m || !tokenMatches(m[1].trim(), expected)) {
      throw new RequestError(
        'unauthorized',
        m ? 'The admin key is wrong.' : 'Admin routes need an "Authorization: Bearer <admin key>" header.',
      );
    }
  };
}
