// Admin adapter routes (bearer admin key): loraledger's own REST resource and vLLM's
// load/unload endpoints. A missing or invalid folder is an error with the reason, never a 200
// (vLLM issue 18372); paths must lie inside the adapter roots.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AddAdapterBody, AdapterIdParams, LoadLoraBody, Responses, UnloadLoraBody } from '../http/schemas.ts';
import { makeAdminGuard } from '../http/adminAuth.ts';
import { confinePath } from '../../adapters/index.ts';
import { RequestError } from '../../common/index.ts';

export const adaptersRoute: FastifyPluginAsync = async (plain) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const s = plain.loraledger;
  const guard = makeAdminGuard(s.config.adminKey);
  const errors = Responses;
  const security = [{ adminKey: [] }];

  const load = async (id: string, path: string, param: string) => {
    const existing = s.adapters.get(id);
    if (existing && existing.state !== 'errored')
      throw new RequestError('conflict', `An adapter with id "${id}" is already registered (${existing.state})`, {
        param: 'id',
      });
    const real = confinePath(path, s.adapterRoots, param);
    s.engine.get(); // 503 while the engine starts: validation needs the base model
    const info = await s.adapters.load(id, real);
    plain.log.info({ adapter: id, path: real }, 'adapter loaded');
    return info;
  };
  const unload = async (id: string) => {
    await s.adapters.unload(id);
    plain.log.info({ adapter: id }, 'adapter unloaded');
  };

  app.get(
    '/v1/adapters',
    {
      preHandler: guard,
      schema: {
        summary: 'List adapters with their state (registered | loading | ready | errored) and reason',
        tags: ['admin'],
        security,
        response: errors,
      },
    },
    async () => ({ object: 'list', data: s.adapters.list() }),
  );

  app.post(
    '/v1/adapters',
    {
      preHandler: guard,
      schema: {
        summary: 'Load an adapter folder under an id',
        tags: ['admin'],
        security,
        body: AddAdapterBody,
        response: errors,
      },
    },
    async (request) => load(request.body.id, request.body.path, 'path'),
  );

  app.delete(
    '/v1/adapters/:id',
    {
      preHandler: guard,
      schema: { summary: 'Unload an adapter', tags: ['admin'], security, params: AdapterIdParams, response: errors },
    },
    async (request) => {
      await unload(request.params.id);
      return { id: request.params.id, object: 'adapter', deleted: true };
    },
  );

  app.post(
    '/v1/load_lora_adapter',
    {
      preHandler: guard,
      schema: {
        summary: 'vLLM-compatible adapter load',
        tags: ['admin'],
        security,
        body: LoadLoraBody,
        response: errors,
      },
    },
    async (request, reply) => {
      await load(request.body.lora_name, request.body.lora_path, 'lora_path');
      return reply
        .type('text/plain; charset=utf-8')
        .send(`Success: LoRA adapter '${request.body.lora_name}' added successfully.`);
    },
  );

  app.post(
    '/v1/unload_lora_adapter',
    {
      preHandler: guard,
      schema: {
        summary: 'vLLM-compatible adapter unload',
        tags: ['admin'],
        security,
        body: UnloadLoraBody,
        response: errors,
      },
    },
    async (request, reply) => {
      await unload(request.body.lora_name);
      return reply
        .type('text/plain; charset=utf-8')
        .send(`Success: LoRA adapter '${request.body.lora_name}' removed successfully.`);
    },
  );
};
