// DataNet governance routes (docs/datanets.md). A role's request carries its EIP-712 signature in
// the body: {..., actor, expires, signature}, signed over DataNetRequest(actor, action, datanet,
// body = keccak256(canonical JSON of the payload), expires), where the payload is the body without
// those three fields plus the path parameters named below. The admin key may act for the operator
// where noted (opening rounds, tallies); it never stands for an owner, contributor or validator.
//
//   GET  /v1/datanet-registry                           {address, chain_id, now (chain clock), eip712: {domain, types}}
//   GET  /v1/datanets/:id/governance                    rules, latest version, EIP-712 domain and types
//   POST /v1/datanets/:id/rounds                        owner-signed 'open_round' {} | admin -> {round, deadline, doc_ids}
//   POST /v1/datanets/:id/rounds/:round/ballots         {voter, votes: [{doc_id, approve}], signature} (EIP-712 Ballot)
//   POST /v1/datanets/:id/rounds/:round/tally           owner-signed 'tally' {round} | admin -> decisions + version
//   POST /v1/datanets/:id/versions                      owner-signed 'publish' {version} -> version
//   GET  /v1/datanets/:id/documents/:doc_id/proof       ?version= -> {version, root, leaf, proof}
//   POST /v1/datanets/:id/documents/:doc_id/challenge   owner-signed 'challenge' {doc_id} -> slashed validators
//   POST /v1/datanets/:id/documents/:doc_id/quorum-challenge   {version, signatures: [{validator, signature}]}:
//                                                       each validator's EIP-712 Challenge(datanet, docId, version);
//                                                       anyone submits a quorum's signatures -> slashed validators
//   GET  /v1/datanets/:id/challenges                    upheld challenges: by owner | quorum, challengers, slashed
//   GET  /v1/datanets/:id/contributors                  [{contributor, approved, rejected, pending, overturned, reputation_ppm}]
//   GET  /v1/datanets/:id/validators                    [{validator, stake, unbonding, votes, agreed, ..., reputation_ppm}]
// Creating a governed DataNet (owner-signed 'create') and submitting to one (contributor-signed
// 'submit') go through the existing POST /v1/datanets and POST /v1/datanets/:id/documents.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  BALLOT_TYPES,
  CHALLENGE_TYPES,
  REQUEST_TYPES,
  type DataNetGovernance,
  type SignedRequest,
} from '../../attribution/index.ts';
import { RequestError } from '../../common/index.ts';

export interface GovernanceRoutesOptions {
  adminGuard?: (request: FastifyRequest) => Promise<void>;
}

type Body = Record<string, unknown>;

function body(req: FastifyRequest): Body {
  const b = req.body ?? {};
  if (typeof b !== 'object' || b === null || Array.isArray(b))
    throw new RequestError('invalid_request', 'the request body must be a JSON object', { param: 'body' });
  return b as Body;
}

/** Splits a body into its payload and its signature fields (undefined when it carries none). */
export function signedParts(b: Body): { payload: Body; sig: SignedRequest | undefined } {
  const { actor, expires, signature, ...payload } = b;
  if (actor === undefined && expires === undefined && signature === undefined) return { payload, sig: undefined };
  return { payload, sig: { actor: actor as string, expires: expires as number, signature: signature as string } };
}

const int = (v: unknown, param: string): number => {
  const n = typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)
    throw new RequestError('invalid_request', `${param} must be a non-negative integer`, { param });
  return n;
};

/** The EIP-712 types a role signs: ballots, quorum challenges, requests. */
const SIGNING_TYPES = { ...BALLOT_TYPES, ...CHALLENGE_TYPES, ...REQUEST_TYPES };

/** OpenAPI (and first validation) of a quorum challenge's body; the service checks every signature. */
const QUORUM_CHALLENGE_BODY = {
  type: 'object',
  required: ['version', 'signatures'],
  properties: {
    version: {
      type: 'integer',
      minimum: 1,
      description: "The published version the validators signed; the challenge window is that version's.",
    },
    signatures: {
      type: 'array',
      minItems: 1,
      maxItems: 1000,
      description:
        'At least `quorum` validators, each with active stake >= min_stake, each signing EIP-712 ' +
        'Challenge(bytes32 datanet, bytes32 docId, uint64 version) in the registry domain (GET /v1/datanet-registry).',
      items: {
        type: 'object',
        required: ['validator', 'signature'],
        properties: {
          validator: { type: 'string', description: 'The signing validator address.' },
          signature: { type: 'string', description: '65-byte hex EIP-712 signature.' },
        },
      },
    },
  },
} as const;

const challengeJson = (c: {
  docId: string;
  version: number;
  by: string;
  challengers: string[];
  slashed: Array<{ validator: string; amount: string }>;
  republished: { version: number; root: string; docCount: number; published: number } | null;
}) => ({
  object: 'datanet.challenge',
  doc_id: c.docId,
  version: c.version,
  by: c.by,
  challengers: c.challengers,
  slashed: c.slashed,
  republished: c.republished === null ? null : versionJson(c.republished),
});

const versionJson = (v: { version: number; root: string; docCount: number; published: number }) => ({
  object: 'datanet.version',
  version: v.version,
  root: v.root,
  documents: v.docCount,
  published: v.published,
});

export function datanetGovernanceRoutes(gov: DataNetGovernance, opts: GovernanceRoutesOptions = {}) {
  /** The owner's signed request, or the operator's admin key when `adminMay`. */
  const ownerOrAdmin = async (req: FastifyRequest, action: string, datanet: string, extra: Body, adminMay: boolean) => {
    const { payload, sig } = signedParts(body(req));
    if (sig === undefined && adminMay && req.headers.authorization !== undefined && opts.adminGuard) {
      await opts.adminGuard(req);
      return;
    }
    await gov.authorize(action, datanet, { ...payload, ...extra }, sig, {
      address: gov.rules(datanet).owner,
      role: 'owner',
    });
  };
  return async function routes(app: FastifyInstance): Promise<void> {
    const tags = ['datanets'];
    app.get(
      '/v1/datanet-registry',
      { schema: { summary: 'The DataNet registry contract and its EIP-712 signing types', tags } },
      async () => ({
        object: 'datanet.registry',
        address: gov.domain.verifyingContract,
        chain_id: gov.domain.chainId,
        now: await gov.now(),
        eip712: { domain: gov.domain, types: SIGNING_TYPES },
      }),
    );
    app.get<{ Params: { id: string } }>(
      '/v1/datanets/:id/governance',
      { schema: { summary: "A governed DataNet's rules, latest version and signing types", tags } },
      async (req) => {
        const g = gov.rules(req.params.id);
        return {
          object: 'datanet.governance',
          datanet: g.datanet,
          owner: g.owner,
          policy: g.policy,
          quorum: g.quorum,
          slash_ppm: g.slashPpm,
          voting_period: g.votingPeriod,
          challenge_window: g.challengeWindow,
          unbonding_delay: g.unbondingDelay,
          min_stake: g.minStake.toString(),
          metadata_hash: g.metadataHash,
          latest_version: gov.latestVersion(g.datanet),
          eip712: { domain: gov.domain, types: SIGNING_TYPES },
        };
      },
    );
    app.post<{ Params: { id: string } }>(
      '/v1/datanets/:id/rounds',
      { schema: { summary: 'Open a vote on the pending documents (owner-signed, or admin)', tags } },
      async (req) => {
        await ownerOrAdmin(req, 'open_round', req.params.id, {}, true);
        const r = await gov.openRound(req.params.id);
        return { object: 'datanet.round', round: r.round, deadline: r.deadline, doc_ids: r.docIds };
      },
    );
    app.post<{ Params: { id: string; round: string } }>(
      '/v1/datanets/:id/rounds/:round/ballots',
      { schema: { summary: "A validator's signed ballot (EIP-712 Ballot over its votes root)", tags } },
      async (req) => {
        const b = body(req);
        const r = await gov.vote(req.params.id, {
          round: int(req.params.round, 'round'),
          voter: b.voter as string,
          votes: b.votes as Array<{ doc_id: string; approve: boolean }>,
          signature: b.signature as string,
        });
        return { object: 'datanet.ballot', round: r.round, voter: r.voter, votes_root: r.votesRoot };
      },
    );
    app.post<{ Params: { id: string; round: string } }>(
      '/v1/datanets/:id/rounds/:round/tally',
      {
        schema: {
          summary: 'Count a round in one transaction and publish the next version (owner-signed, or admin)',
          tags,
        },
      },
      async (req) => {
        const round = int(req.params.round, 'round');
        await ownerOrAdmin(req, 'tally', req.params.id, { round }, true);
        const t = await gov.tally(req.params.id, round);
        return {
          object: 'datanet.tally',
          round,
          approved: t.approved,
          rejected: t.rejected,
          version: versionJson(t.version),
        };
      },
    );
    app.post<{ Params: { id: string } }>(
      '/v1/datanets/:id/versions',
      { schema: { summary: 'Publish the next version (owner-signed)', tags } },
      async (req) => {
        const version = int(body(req).version, 'version');
        await ownerOrAdmin(req, 'publish', req.params.id, {}, false);
        return versionJson(await gov.publish(req.params.id, version));
      },
    );
    app.get<{ Params: { id: string; doc_id: string }; Querystring: { version?: string } }>(
      '/v1/datanets/:id/documents/:doc_id/proof',
      { schema: { summary: "A document's Merkle inclusion proof in a published version", tags } },
      async (req) => {
        const version = req.query.version === undefined ? undefined : int(req.query.version, 'version');
        const p = gov.proof(req.params.id, req.params.doc_id, version);
        return { object: 'datanet.proof', ...p, leaf_encoding: ['bytes32', 'bytes32', 'address'] };
      },
    );
    app.post<{ Params: { id: string; doc_id: string } }>(
      '/v1/datanets/:id/documents/:doc_id/challenge',
      {
        schema: {
          summary: 'Challenge an approved document; slashes the validators who approved it (owner-signed)',
          tags,
        },
      },
      async (req) => {
        await ownerOrAdmin(req, 'challenge', req.params.id, { doc_id: req.params.doc_id }, false);
        return challengeJson(await gov.challenge(req.params.id, req.params.doc_id));
      },
    );
    app.post<{ Params: { id: string; doc_id: string } }>(
      '/v1/datanets/:id/documents/:doc_id/quorum-challenge',
      {
        schema: {
          summary:
            'Challenge an approved document by a quorum of validators (their EIP-712 signatures, sent by anyone)',
          description:
            "Under the validators policy. Slashes slash_ppm of each approving validator's stake to the treasury, " +
            'rejects the document and publishes the next version without it (docs/datanets.md#challenges).',
          tags,
          body: QUORUM_CHALLENGE_BODY,
        },
      },
      async (req) => {
        const b = body(req);
        const c = await gov.challengeByQuorum(req.params.id, req.params.doc_id, {
          version: int(b.version, 'version'),
          signatures: b.signatures as Array<{ validator: string; signature: string }>,
        });
        return challengeJson(c);
      },
    );
    app.get<{ Params: { id: string } }>(
      '/v1/datanets/:id/challenges',
      {
        schema: {
          summary: 'Upheld challenges: by the owner or a quorum, the challengers and the slashed stakes',
          tags,
        },
      },
      async (req) => ({
        object: 'list',
        data: gov.challenges(req.params.id).map((c) => ({
          object: 'datanet.challenge',
          doc_id: c.docId,
          version: c.version,
          round: c.round,
          by: c.by ?? 'owner',
          challengers: c.challengers ?? [],
          slashed: c.slashed,
          tx_hash: c.txHash,
        })),
      }),
    );
    app.get<{ Params: { id: string } }>(
      '/v1/datanets/:id/contributors',
      { schema: { summary: 'Contributors with their documents by state and reputation', tags } },
      async (req) => ({
        object: 'list',
        data: gov.contributors(req.params.id).map((c) => ({
          contributor: c.contributor,
          approved: c.approved,
          rejected: c.rejected,
          pending: c.pending,
          overturned: c.overturned,
          reputation_ppm: c.reputationPpm,
        })),
      }),
    );
    app.get<{ Params: { id: string } }>(
      '/v1/datanets/:id/validators',
      { schema: { summary: 'Validators with their stake (read from the chain), votes and reputation', tags } },
      async (req) => ({
        object: 'list',
        data: (await gov.validatorsWithStake(req.params.id)).map((v) => ({
          validator: v.validator,
          stake: v.stake.active.toString(),
          unbonding: v.stake.unbonding.toString(),
          votes: v.votes,
          agreed: v.agreed,
          disagreed: v.disagreed,
          overturned: v.overturned,
          reputation_ppm: v.reputationPpm,
        })),
      }),
    );
  };
}
