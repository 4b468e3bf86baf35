// GET /factory: ModelFactory's no-code page (factory/page/). Its browser TypeScript modules are
// transpiled once, with esbuild's transform, when the route registers, and served from memory:
//
//   GET /factory              index.html
//   GET /factory/<name>.js    factory/page/<name>.ts, transpiled (ES modules importing ./x.js)
//   GET /factory/<name>.css   factory/page/<name>.css
//
// The page talks to this server's /v1 API only; the Content-Security-Policy header keeps it from
// loading or calling anything elsewhere.
import { readdir, readFile } from 'node:fs/promises';
import { transform } from 'esbuild';
import type { FastifyPluginAsync } from 'fastify';
import { RequestError } from '../../common/index.ts';

const PAGE_DIR = new URL('../../factory/page/', import.meta.url);
const CSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

interface Asset {
  type: string;
  body: string;
}

/** Every file of factory/page/ as it is served, by name. */
async function loadAssets(): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  for (const name of (await readdir(PAGE_DIR)).sort()) {
    const text = await readFile(new URL(name, PAGE_DIR), 'utf8');
    if (name.endsWith('.ts') && !name.endsWith('.test.ts')) {
      const { code } = await transform(text, { loader: 'ts', format: 'esm', target: 'es2022', sourcefile: name });
      assets.set(name.replace(/\.ts$/, '.js'), { type: 'text/javascript; charset=utf-8', body: code });
    } else if (name.endsWith('.css')) assets.set(name, { type: 'text/css; charset=utf-8', body: text });
    else if (name.endsWith('.html')) assets.set(name, { type: 'text/html; charset=utf-8', body: text });
  }
  if (!assets.has('index.html')) throw new Error(`${PAGE_DIR.pathname} has no index.html`);
  return assets;
}

export const factoryPageRoute: FastifyPluginAsync = async (app) => {
  const assets = await loadAssets();
  const send = (name: string) => {
    const asset = assets.get(name);
    if (!asset) throw new RequestError('not_found', `the factory page has no ${name}`);
    return asset;
  };
  const schema = { hide: true };
  app.get('/factory', { schema }, async (_req, reply) => {
    const page = send('index.html');
    return reply
      .type(page.type)
      .header('content-security-policy', CSP)
      .header('cache-control', 'no-cache')
      .send(page.body);
  });
  app.get('/factory/:asset', { schema }, async (req, reply) => {
    const asset = send((req.params as { asset: string }).asset);
    return reply.type(asset.type).header('cache-control', 'no-cache').send(asset.body);
  });
};
