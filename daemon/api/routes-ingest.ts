// POST /api/v1/ingest/logs, the embedded chain's hop (DESIGN.md §3.6): a DSSE-signed log batch from
// an agent's own key. No bearer token: the signature by the cluster's pinned key authenticates it.
import { PAYLOAD_TYPES } from '../../core/dsse.js';
import { IngestRefused } from '../logs/ingest-rules.js';
import { BodyTooLarge, readBody } from './http.js';
import type { Route } from './route.js';

export const INGEST_ROUTES: Route[] = [
  {
    method: 'POST',
    path: '/api/v1/ingest/logs',
    pattern: /^\/api\/v1\/ingest\/logs$/,
    auth: 'signed-body',
    payloadType: PAYLOAD_TYPES.logBatch,
    handle: async (ctx, call) => {
      const limit = ctx.config.logs.ingest.maxBatchBytes;
      let body: Buffer;
      try {
        body = await readBody(call.req, limit);
      } catch (e) {
        // an oversize body is a refusal like any other: counted and recorded, then 413
        if (e instanceof BodyTooLarge) throw ctx.logs.refuse(new IngestRefused('oversize', `log batch is over the ${limit}-byte limit (logs.ingest.maxBatchBytes)`), call.remote);
        throw e;
      }
      return [200, await ctx.logs.ingest(body, call.remote)];
    },
  },
];
