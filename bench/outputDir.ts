// The results directory: created if missing, refused if it already holds files unless `force`
// (then only the files this bench writes are replaced; nothing else in it is deleted).
import { mkdir, readdir } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';

export class OutputDirError extends Error {}

export async function prepareOutputDir(dir: string, force: boolean): Promise<string> {
  const path = resolve(dir);
  if (existsSync(path)) {
    if (!statSync(path).isDirectory()) throw new OutputDirError(`--out ${path} exists and is not a directory`);
    const entries = await readdir(path);
    if (entries.length > 0 && !force) {
      throw new OutputDirError(
        `--out ${path} is not empty (${entries.length} entries, e.g. ${entries.slice(0, 3).join(', ')}); choose another directory or pass --force to overwrite the report files`,
      );
    }
  }
  await mkdir(path, { recursive: true });
  return path;
}
