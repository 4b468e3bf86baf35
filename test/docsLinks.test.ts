// The docs point only at things that exist: every relative markdown link in README.md, docs/*.md
// and bench/README.md resolves to a file (and its #anchor to a heading of that file), and every
// repository path the docs name in backticks (`kernels/graph/graphCache.ts`) exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const pages = [
  'README.md',
  'bench/README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const TOP_FOLDERS = [
  'common',
  'kernels',
  'adapters',
  'factory',
  'attribution',
  'server',
  'bench',
  'test',
  'docs',
  'deploy',
];

/** The page's text outside fenced code blocks (line structure kept). */
function prose(text: string): string {
  let fenced = false;
  return text
    .split('\n')
    .map((line) => {
      if (/^\s*(```|~~~)/.test(line)) {
        fenced = !fenced;
        return '';
      }
      return fenced ? '' : line;
    })
    .join('\n');
}

/** GitHub's heading anchors: lowercase, punctuation dropped, spaces to '-', repeats get -1, -2, ... */
function anchors(text: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  for (const m of prose(text).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = m[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

/** Inline links `[text](target)` outside code (spans and blocks). */
function links(text: string): string[] {
  const noCode = prose(text).replace(/`[^`\n]*`/g, '');
  return [...noCode.matchAll(/\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
}

test('every relative link in the README and docs resolves to a file, and its #anchor to a heading', () => {
  const broken: string[] = [];
  for (const page of pages) {
    const file = join(root, page);
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'utf8');
    for (const target of links(text)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
      const [path, anchor] = target.split('#', 2) as [string, string | undefined];
      const dest = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
      if (!dest.startsWith(root) || !existsSync(dest)) {
        broken.push(`${page}: ${target} (no such file)`);
        continue;
      }
      if (anchor && dest.endsWith('.md') && !anchors(readFileSync(dest, 'utf8')).has(anchor)) {
        broken.push(`${page}: ${target} (no heading #${anchor} in ${relative(root, dest)})`);
      }
    }
  }
  assert.deepEqual(broken, []);
});

test('every repository path the README and docs name in backticks exists', () => {
  const folders = TOP_FOLDERS.join('|');
  const path = new RegExp(`(?<![\\w./<>-])(?:${folders})/[\\w./-]*`, 'g');
  const missing: string[] = [];
  for (const page of pages) {
    const file = join(root, page);
    if (!existsSync(file)) continue;
    for (const span of readFileSync(file, 'utf8').matchAll(/`([^`\n]+)`/g)) {
      for (const m of span[1]!.matchAll(path)) {
        const p = m[0].replace(/[.,;:]+$/, '');
        if (!/\.\w+$|\/$/.test(p)) continue; // a file with an extension, or a folder ending in '/'
        if (!existsSync(join(root, p))) missing.push(`${page}: ${p}`);
      }
    }
  }
  assert.deepEqual(missing, []);
});
