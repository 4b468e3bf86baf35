// DataNet routes (a Fastify plugin factory; the attribution wiring registers it).
//
//   POST /v1/datanets                         (admin) {id, title?} -> datanet
//   GET  /v1/datanets                         {object: "list", data: [datanet]}
//   GET  /v1/datanets/:id                     datanet {object, id, title, created, documents}
//   POST /v1/datanets/:id/documents           {text, contributor, metadata?} -> document (doc_id, content_hash)
//                                             open to contributors unless documentsRequireAdmin
//   GET  /v1/datanets/:id/documents           ?limit=1..1000 (100) &after=<doc_id> -> {object: "list", data, has_more}
//   GET  /v1/datanets/:id/documents/:doc_id   document
// Governed DataNets (docs/datanets.md): POST /v1/datanets with `policy` creates one from the owner's
// signed request (no admin key); POST .../documents to one needs the contributor's signed request
// and stores the document pending; documents carry `state` and GET .../documents takes ?state=.
// Errors: 404 datanet_not_found / not_found, 400 invalid_request (bad id, text, contributor
// address, metadata, limit, after), 409 conflict (existing DataNet id; duplicate text, naming the
// existing doc_id), 401/403 from the admin guard.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  DOCUMENT_STATES,
  type DataDocument,
  type Datanet,
  type DatanetStore,
  type DataNetGovernance,
  type DocumentFormat,
  type DocumentState,
} from '../../attribution/index.ts';
import { RequestError } from '../../common/index.ts';
import { signedParts } from './datanetGovernance.ts';

export interface DatanetRoutesOptions {
  /** The server's admin guard (server/adminAuth makeAdminGuard). Absent: admin routes answer 403. */
  adminGuard?: (request: FastifyRequest) => Promise<void>;
  /** Require the admin key to add documents too. Default false (contributors post directly). */
  documentsRequireAdmin?: boolean;
  /** Governance of owned DataNets; absent: only open DataNets exist. */
  governance?: DataNetGovernance;
}

const GOVERNED_FIELDS = [
  'id',
  'title',
  'owner',
  'policy',
  'quorum',
  'slash_ppm',
  'voting_period',
  'challenge_window',
  'unbonding_delay',
  'min_stake',
  'format',
  'metadata',
];

const datanetJson = (d: Datanet) => ({
  object: 'datanet',
  id: d.id,
  title: d.title,
  created: d.created,
  documents: d.documents,
  governed: d.governed,
});
const documentJson = (d: DataDocument) => ({
  object: 'datanet.document',
  doc_id: d.docId,
  datanet: d.datanet,
  contributor: d.contributor,
  content_hash: d.contentHash,
  metadata: d.metadata,
  created: d.created,
  state: d.state,
  text: d.text,
});

function body(req: FastifyRequest): Record<string, unknown> {
  const b = req.body;
  if (typeof b !== 'object' || b === null || Array.isArray(b))
    throw new RequestError('invalid_request', 'the request body must be a JSON object', { param: 'body' });
  return b as Record<string, unknown>;
}

function limitOf(q: Record<string, unknown>): number | undefined {
  if (q.limit === undefined) return undefined;
  const n = Number(q.limit);
  if (typeof q.limit !== 'string' || !/^\d+$/.test(q.limit))
    throw new RequestError('invalid_request', 'limit must be an integer in [1, 1000]', { param: 'limit' });
  return n;
}

export function datanetRoutes(store: DatanetStore, opts: DatanetRoutesOptions = {}) {
  const admin = async (req: FastifyRequest, what: string): Promise<void> => {
    if (opts.adminGuard === undefined)
      throw new RequestError('admin_disabled', `${what} is an admin route and no admin key is configured`);
    await opts.adminGuard(req);
  };
  const governance = (): DataNetGovernance => {
    if (opts.governance === undefined)
      throw new RequestError('invalid_request', 'DataNet governance needs a chain (--chain); this server has none', {
        param: 'policy',
      });
    return opts.governance;
  };
  const createGoverned = async (b: Record<string, unknown>) => {
    const { payload, sig } = signedParts(b);
    const extra = Object.keys(payload).find((k) => !GOVERNED_FIELDS.includes(k));
    if (extra)
      throw new RequestError('invalid_request', `unknown field ${extra} (allowed: ${GOVERNED_FIELDS.join(', ')})`, {
        param: extra,
      });
    const f = payload.format as { max_chars?: number; required_metadata?: string[] } | undefined;
    if (f !== undefined && (typeof f !== 'object' || f === null || Array.isArray(f)))
      throw new RequestError('invalid_request', 'format must be an object {max_chars?, required_metadata?}', {
        param: 'format',
      });
    const g = await governance().create(
      {
        id: payload.id as string,
        title: payload.title as string | undefined,
        owner: payload.owner as string,
        policy: payload.policy as 'owner' | 'validators',
        quorum: payload.quorum as number | undefined,
        slashPpm: payload.slash_ppm as number | undefined,
        votingPeriod: payload.voting_period as number | undefined,
        challengeWindow: payload.challenge_window as number | undefined,
        unbondingDelay: payload.unbonding_delay as number | undefined,
        minStake: payload.min_stake as string | undefined,
        format: f && formatOf(f),
        metadata: payload.metadata as Record<string, unknown> | undefined,
      },
      sig,
      payload,
    );
    return datanetJson(store.getDatanet(g.datanet));
  };
  return async function routes(app: FastifyInstance): Promise<void> {
    const tags = ['datanets'];
    app.post(
      '/v1/datanets',
      { schema: { summary: 'Create a DataNet (admin)', tags, security: [{ adminKey: [] }] } },
      async (req) => {
        const b = body(req);
        if (b.policy !== undefined) return createGoverned(b);
        await admin(req, 'POST /v1/datanets');
        const extra = Object.keys(b).find((k) => k !== 'id' && k !== 'title');
        if (extra)
          throw new RequestError('invalid_request', `unknown field ${extra} (allowed: id, title)`, { param: extra });
        return datanetJson(store.createDatanet({ id: b.id, title: b.title }));
      },
    );
    app.get('/v1/datanets', { schema: { summary: 'List DataNets', tags } }, async () => ({
      object: 'list',
      data: store.listDatanets().map(datanetJson),
    }));
    app.get<{ Params: { id: string } }>('/v1/datanets/:id', { schema: { summary: 'One DataNet', tags } }, async (req) =>
      datanetJson(store.getDatanet(req.params.id)),
    );
    app.post<{ Params: { id: string } }>(
      '/v1/datanets/:id/documents',
      { schema: { summary: 'Contribute a document to a DataNet', tags } },
      async (req) => {
        const b = body(req);
        if (store.getDatanet(req.params.id).governed) {
          const { payload, sig } = signedParts(b);
          const doc = await governance().submit(
            {
              datanet: req.params.id,
              text: payload.text,
              contributor: payload.contributor,
              metadata: payload.metadata,
            },
            sig,
          );
          req.log.info({ datanet: doc.datanet, doc_id: doc.docId }, 'document submitted for approval');
          return documentJson(doc);
        }
        if (opts.documentsRequireAdmin) await admin(req, 'POST /v1/datanets/:id/documents');
        const extra = Object.keys(b).find((k) => k !== 'text' && k !== 'contributor' && k !== 'metadata');
        if (extra)
          throw new RequestError('invalid_request', `unknown field ${extra} (allowed: text, contributor, metadata)`, {
            param: extra,
          });
        const doc = store.addDocument({
          datanet: req.params.id,
          text: b.text,
          contributor: b.contributor,
          metadata: b.metadata,
        });
        req.log.info({ datanet: doc.datanet, doc_id: doc.docId }, 'document contributed');
        return documentJson(doc);
      },
    );
    app.get<{ Params: { id: string }; Querystring: Record<string, unknown> }>(
      '/v1/datanets/:id/documents',
      { schema: { summary: "List a DataNet's documents (paged)", tags } },
      async (req) => {
        const after = req.query.after;
        if (after !== undefined && typeof after !== 'string')
          throw new RequestError('invalid_request', 'after must be a doc_id', { param: 'after' });
        const state = req.query.state;
        if (state !== undefined && !DOCUMENT_STATES.includes(state as DocumentState))
          throw new RequestError('invalid_request', `state must be one of ${DOCUMENT_STATES.join(', ')}`, {
            param: 'state',
          });
        const page = store.listDocuments(req.params.id, {
          limit: limitOf(req.query),
          after,
          state: state as DocumentState | undefined,
        });
        return { object: 'list', data: page.data.map(documentJson), has_more: page.hasMore };
      },
    );
    app.get<{ Params: { id: string; doc_id: string } }>(
      '/v1/datanets/:id/documents/:doc_id',
      { schema: { summary: 'One document', tags } },
      async (req) => {
        store.getDatanet(req.params.id);
        const doc = store.getDocument(req.params.doc_id);
        if (doc.datanet !== req.params.id)
          throw new RequestError('not_found', `document ${req.params.doc_id} is not in DataNet ${req.params.id}`, {
            param: 'doc_id',
          });
        return documentJson(doc);
      },
    );
  };
}

function formatOf(f: { max_chars?: unknown; required_metadata?: unknown }): DocumentFormat {
  const out: DocumentFormat = {};
  if (f.max_chars !== undefined) {
    if (typeof f.max_chars !== 'number' || !Number.isInteger(f.max_chars) || f.max_chars < 1)
      throw new RequestError('invalid_request', 'format.max_chars must be a positive integer', {
        param: 'format.max_chars',
      });
    out.maxChars = f.max_chars;
  }
  if (f.required_metadata !== undefined) {
    if (!Array.isArray(f.required_metadata) || f.required_metadata.some((k) => typeof k !== 'string'))
      throw new RequestError('invalid_request', 'format.required_metadata must be a list of keys', {
        param: 'format.required_metadata',
      });
    out.requiredMetadata = f.required_metadata as string[];
  }
  return out;
}
