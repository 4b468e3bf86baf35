// Admin adapter paths must lie inside a configured adapter root (no `../../etc`, no symlink
// escapes). Relative paths are read relative to the first root.
import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { AdapterError, RequestError } from './errors.ts';

const inside = (root: string, p: string): boolean => {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/** Returns the real absolute folder path, or throws path_not_allowed / adapter_not_found. */
export function confinePath(path: string, roots: readonly string[], param: string): string {
  if (roots.length === 0) {
    throw new RequestError('path_not_allowed', 'No adapter roots are configured (--adapters), so adapters cannot be loaded at run time.', { param });
  }
  const abs = isAbsolute(path) ? resolve(path) : resolve(roots[0], path);
  const realRoots = roots.map((r) => (existsSync(r) ? realpathSync(r) : resolve(r)));
  if (!roots.some((r) => inside(resolve(r), abs)) && !realRoots.some((r) => inside(r, abs))) {
    throw new RequestError('path_not_allowed', `${param} "${path}" lies outside the adapter roots`, { param });
  }
  if (!existsSync(abs)) throw new AdapterError('adapter_not_found', `${param} "${path}": the folder does not exist`, { param });
  const real = realpathSync(abs);
  if (!realRoots.some((r) => inside(r, real))) {
    throw new RequestError('path_not_allowed', `${param} "${path}" resolves (through a symlink) outside the adapter roots`, { param });
  }
  return real;
}
