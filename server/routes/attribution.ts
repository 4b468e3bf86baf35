// Attribution settlement routes (a Fastify plugin factory; the attribution wiring registers it).
//
//   GET  /v1/attribution/eip712              {domain, types, primaryType}
//   GET  /v1/attribution/contract            {address, chain_id, rpc_url, abi}
//   GET  /v1/attribution/records/:record_id  RecordView: record, signer, signature, status, epoch,
//                                            tx_hash, root, leaf, leaf_encoding, proof
//   GET  /v1/attribution/payouts/:address    {account, epoch, cumulative, root, leaf_encoding, proof}
//   GET  /v1/attribution/epochs/:epoch      {epoch, status, records_root, payout_root, total, record_count, tx_hash, ...}
//   POST /v1/attribution/settle              (admin) close an epoch now and post it: {epoch, ...}
// Errors are thrown as catalogue errors; the server's single error handler shapes them.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { normaliseAddress, type SettlementHandle } from '../../attribution/index.ts';
import { RequestError } from '../../common/index.ts';

export interface AttributionRoutesOptions {
  /** Guard for POST /v1/attribution/settle (the server's admin guard). Absent: the route answers 403. */
  adminGuard?: (request: FastifyRequest) => Promise<void>;
}

const BYTES32 = /^0x[0-9a-fA-F]{64}$/;

export function attributionRoutes(handle: SettlementHandle, opts: AttributionRoutesOptions = {}) {
  return async function routes(app: FastifyInstance): Promise<void> {
    const s = handle.settlement;
    app.get('/v1/attribution/eip712', async () => handle.eip712());
    app.get('/v1/attribution/contract', async () => handle.contractInfo());
    app.get<{ Params: { record_id: string } }>('/v1/attribution/records/:record_id', async (req) => {
      const id = req.params.record_id;
      if (!BYTES32.test(id))
        throw new RequestError('invalid_request', 'record_id must be 0x followed by 64 hex characters (bytes32)', {
          param: 'record_id',
        });
      return s.recordView(id);
    });
    app.get<{ Params: { address: string } }>('/v1/attribution/payouts/:address', async (req) =>
      s.payoutView(normaliseAddress(req.params.address, 'address')),
    );
    app.get<{ Params: { epoch: string } }>('/v1/attribution/epochs/:epoch', async (req) => {
      const n = req.params.epoch;
      if (!/^[1-9][0-9]{0,15}$/.test(n))
        throw new RequestError('invalid_request', 'epoch must be a positive integer', { param: 'epoch' });
      return s.epochView(Number(n));
    });
    app.post('/v1/attribution/settle', async (req) => {
      if (opts.adminGuard === undefined)
        throw new RequestError(
          'admin_disabled',
          'POST /v1/attribution/settle is an admin route and no admin guard is configured',
        );
      await opts.adminGuard(req);
      const e = await s.settleNow();
      if (e === null) return { epoch: null, status: 'nothing settled yet' };
      return {
        epoch: e.epoch,
        records_root: e.recordsRoot,
        payout_root: e.payoutRoot,
        total: e.total.toString(),
        record_count: e.recordCount,
        tx_hash: e.txHash,
        status: e.status,
      };
    });
  };
}
