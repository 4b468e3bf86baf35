// Never answer without a durable record (issue 19): the data directory that holds the outbox may
// fill up or turn read-only under a running server. Two rules keep the promise:
//
//   before a request that needs a record runs:  check(dir)
//       access(dir, W_OK) fails (EROFS on a read-only mount, EACCES)  -> 503 storage_unavailable
//       statfs(dir) free bytes < reserveBytes                           -> 503 storage_unavailable
//   when the outbox's durable write fails with a storage error:        asStorageError(err)
//       SQLITE_FULL / SQLITE_READONLY* / SQLITE_IOERR* / SQLITE_CANTOPEN, ENOSPC / EROFS / EDQUOT
//                                                                       -> 503 storage_unavailable
//
// Both checks are taken per request (two syscalls, microseconds), so the server recovers by itself
// the moment space returns or the mount turns writable again. Requests without attribution never
// ask, and keep being served.
import { accessSync, constants, statfsSync } from 'node:fs';
import { AttributionError } from '../../common/index.ts';

/** Free space a request that needs a record leaves untouched; default 4 MiB (a record is a few KB). */
export const STORAGE_RESERVE_BYTES = 4 * 1024 * 1024;

export class StorageGuard {
  constructor(
    private readonly dir: string,
    private readonly reserveBytes = STORAGE_RESERVE_BYTES,
  ) {}

  /** Throws 503 storage_unavailable when a durable record cannot be written to `dir` now. */
  check(): void {
    try {
      accessSync(this.dir, constants.W_OK);
    } catch (err) {
      throw unavailable(`the data directory is not writable (${(err as NodeJS.ErrnoException).code ?? 'error'})`, err);
    }
    const s = statfsSync(this.dir);
    const free = s.bavail * s.bsize;
    if (free < this.reserveBytes)
      throw unavailable(`the data directory has ${free} bytes free, under the ${this.reserveBytes}-byte reserve`);
  }
}

const STORAGE_CODES = /^(SQLITE_(FULL|READONLY|IOERR|CANTOPEN)|ENOSPC|EROFS|EDQUOT|EACCES)/;

/** A storage failure becomes 503 storage_unavailable; anything else is returned unchanged. */
export function asStorageError(err: unknown): unknown {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && STORAGE_CODES.test(code))
    return unavailable(`the outbox could not store the record durably (${code})`, err);
  return err;
}

function unavailable(why: string, cause?: unknown): AttributionError {
  return new AttributionError(
    'storage_unavailable',
    `This request needs a durable attribution record and ${why}; it was not run. Requests without attribution are still served; retry when storage is back.`,
    { cause, details: { reason: why } },
  );
}
