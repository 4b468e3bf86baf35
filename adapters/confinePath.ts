// The ONE root-confinement rule for adapter folders (the registry's admin registration and scans,
// and the server's admin routes use it): a path must lie inside a configured adapter root, no
// `../../etc`, no symlink escapes. Relative paths are read relative to the first root.
//   abs  = resolve(path) (relative: against roots[0])
//   abs inside some root (as configured, or its real path)  else path_not_allowed
//   abs exists                                               else adapter_not_found
//   real = realpath(abs) inside some root's real path        else path_not_allowed (symlink escape)
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { AdapterError, RequestError } from '../common/index.ts';

/** True when `p` is `root` or lies below it (both absolute). */
export function isInside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The real (symlink-resolved) path of `p`, or its plain resolved path when it does not exist. */
export function realOrResolved(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
}

/**
 * Returns the real absolute folder path of `path`, or throws RequestError path_not_allowed /
 * AdapterError adapter_not_found naming `param` (the request field it came from).
 */
export function confinePath(path: string, roots: readonly string[], param = 'path'): string {
  if (typeof path !== 'string' || path === '')
    throw new RequestError('invalid_request', `adapter ${param} must be a non-empty string`, { param });
  if (roots.length === 0) {
    throw new RequestError(
      'path_not_allowed',
      'No adapter roots are configured (--adapters), so adapters cannot be loaded at run time.',
      { param },
    );
  }
  const abs = isAbsolute(path) ? resolve(path) : resolve(roots[0], path);
  const realRoots = roots.map(realOrResolved);
  if (!roots.some((r) => isInside(resolve(r), abs)) && !realRoots.some((r) => isInside(r, abs))) {
    throw new RequestError('path_not_allowed', `adapter ${param} ${path} is outside the configured adapter roots`, {
      param,
      details: { path },
    });
  }
  let real: string;
  try {
    real = realpathSync(abs);
  } catch {
    throw new AdapterError('adapter_not_found', `adapter folder ${path} does not exist`, { param, details: { path } });
  }
  if (!realRoots.some((r) => isInside(r, real))) {
    throw new RequestError(
      'path_not_allowed',
      `adapter ${param} ${path} resolves (through a symlink) outside the configured adapter roots`,
      { param, details: { path } },
    );
  }
  return real;
}
