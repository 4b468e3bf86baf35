import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { DatanetStore } from '../../attribution/index.ts';
import { installErrorHandlers } from '../http/errorHandler.ts';
import { makeAdminGuard } from '../http/adminAuth.ts';
import { datanetRoutes } from './datanets.ts';

const KEY = 'admin-key-123';
const alice = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';
const auth = { authorization: `Bearer ${KEY}` };

async function makeApp(opts: { adminKey?: string; documentsRequireAdmin?: boolean } = { adminKey: KEY }) {
  const store = new DatanetStore(':memory:', { now: () => 1_700_000_000 });
  const app = Fastify({ logger: false });
  installErrorHandlers(app);
  await app.register(
    datanetRoutes(store, {
      adminGuard: makeAdminGuard(opts.adminKey),
      documentsRequireAdmin: opts.documentsRequireAdmin,
    }),
  );
  await app.ready();
  return { app, store };
}

test('create a DataNet, contribute documents, list them', async () => {
  const { app } = await makeApp();
  const created = await app.inject({
    method: 'POST',
    url: '/v1/datanets',
    headers: auth,
    payload: { id: 'medical-qa', title: 'Medical QA' },
  });
  assert.equal(created.statusCode, 200);
  assert.deepEqual(created.json(), {
    object: 'datanet',
    id: 'medical-qa',
    title: 'Medical QA',
    created: 1_700_000_000,
    documents: 0,
    governed: false,
  });
  const doc = await app.inject({
    method: 'POST',
    url: '/v1/datanets/medical-qa/documents',
    payload: { text: 'Aspirin thins the blood.', contributor: alice, metadata: { lang: 'en' } },
  });
  assert.equal(doc.statusCode, 200);
  const d = doc.json();
  assert.match(d.doc_id, /^0x[0-9a-f]{64}$/);
  assert.match(d.content_hash, /^0x[0-9a-f]{64}$/);
  assert.equal(d.contributor, alice.toLowerCase());
  assert.deepEqual(d.metadata, { lang: 'en' });
  const list = await app.inject({ method: 'GET', url: '/v1/datanets' });
  assert.deepEqual(
    list.json().data.map((x: { id: string; documents: number }) => [x.id, x.documents]),
    [['medical-qa', 1]],
  );
  const docs = await app.inject({ method: 'GET', url: '/v1/datanets/medical-qa/documents?limit=10' });
  assert.equal(docs.json().object, 'list');
  assert.deepEqual(
    docs.json().data.map((x: { doc_id: string }) => x.doc_id),
    [d.doc_id],
  );
  assert.equal(docs.json().has_more, false);
  const one = await app.inject({ method: 'GET', url: `/v1/datanets/medical-qa/documents/${d.doc_id}` });
  assert.equal(one.json().text, 'Aspirin thins the blood.');
  await app.close();
});

test('bad inputs: 404 unknown DataNet, 400 bad address / fields, 409 duplicates, 401/403 admin', async () => {
  const { app } = await makeApp();
  const err = async (res: Awaited<ReturnType<typeof app.inject>>, status: number, code: string, param?: string) => {
    assert.equal(res.statusCode, status, res.body);
    const e = res.json().error;
    assert.equal(e.code, code);
    if (param !== undefined) assert.equal(e.param, param);
    return e.message as string;
  };
  await app.inject({ method: 'POST', url: '/v1/datanets', headers: auth, payload: { id: 'net' } });
  await err(
    await app.inject({
      method: 'POST',
      url: '/v1/datanets/ghost/documents',
      payload: { text: 'x', contributor: alice },
    }),
    404,
    'datanet_not_found',
  );
  await err(await app.inject({ method: 'GET', url: '/v1/datanets/ghost/documents' }), 404, 'datanet_not_found');
  await err(await app.inject({ method: 'GET', url: '/v1/datanets/ghost' }), 404, 'datanet_not_found');
  await err(
    await app.inject({
      method: 'POST',
      url: '/v1/datanets/net/documents',
      payload: { text: 'x', contributor: '0xnope' },
    }),
    400,
    'invalid_request',
    'contributor',
  );
  await err(
    await app.inject({
      method: 'POST',
      url: '/v1/datanets/net/documents',
      payload: { text: 'x', contributor: alice.replace('aAeb', 'aAEb') },
    }),
    400,
    'invalid_request',
    'contributor',
  );
  await err(
    await app.inject({ method: 'POST', url: '/v1/datanets/net/documents', payload: { text: '', contributor: alice } }),
    400,
    'invalid_request',
    'text',
  );
  await err(
    await app.inject({
      method: 'POST',
      url: '/v1/datanets/net/documents',
      payload: { text: 'x', contributor: alice, owner: 1 },
    }),
    400,
    'invalid_request',
    'owner',
  );
  await err(
    await app.inject({ method: 'GET', url: '/v1/datanets/net/documents?limit=abc' }),
    400,
    'invalid_request',
    'limit',
  );
  await err(
    await app.inject({ method: 'GET', url: '/v1/datanets/net/documents?limit=5000' }),
    400,
    'invalid_request',
    'limit',
  );
  const first = (
    await app.inject({
      method: 'POST',
      url: '/v1/datanets/net/documents',
      payload: { text: 'same', contributor: alice },
    })
  ).json();
  const msg = await err(
    await app.inject({
      method: 'POST',
      url: '/v1/datanets/net/documents',
      payload: { text: 'same', contributor: alice },
    }),
    409,
    'conflict',
  );
  assert.ok(msg.includes(first.doc_id), msg);
  await err(
    await app.inject({ method: 'POST', url: '/v1/datanets', headers: auth, payload: { id: 'net' } }),
    409,
    'conflict',
  );
  await err(
    await app.inject({ method: 'POST', url: '/v1/datanets', headers: auth, payload: { id: 'no spaces' } }),
    400,
    'invalid_request',
    'id',
  );
  await err(await app.inject({ method: 'POST', url: '/v1/datanets', payload: { id: 'x' } }), 401, 'unauthorized');
  await err(
    await app.inject({
      method: 'POST',
      url: '/v1/datanets',
      headers: { authorization: 'Bearer wrong-key-000' },
      payload: { id: 'x' },
    }),
    401,
    'unauthorized',
  );
  await app.close();
  const off = await makeApp({});
  await err(
    await off.app.inject({ method: 'POST', url: '/v1/datanets', headers: auth, payload: { id: 'x' } }),
    403,
    'admin_disabled',
  );
  await off.app.close();
  const strict = await makeApp({ adminKey: KEY, documentsRequireAdmin: true });
  strict.store.createDatanet({ id: 'net' });
  await err(
    await strict.app.inject({
      method: 'POST',
      url: '/v1/datanets/net/documents',
      payload: { text: 'x', contributor: alice },
    }),
    401,
    'unauthorized',
  );
  assert.equal(
    (
      await strict.app.inject({
        method: 'POST',
        url: '/v1/datanets/net/documents',
        headers: auth,
        payload: { text: 'x', contributor: alice },
      })
    ).statusCode,
    200,
  );
  await strict.app.close();
});
