// A delivery of the central ingest queue is checked exactly like an HTTP-posted batch, and its
// shovel-stamped user_id must be the central user of the batch's cluster.
import { describe, expect, it } from 'vitest';
import { clusterUserName } from '../../../../../core/brokers/topology.js';
import { generateSigningKey } from '../../../../../core/keys.js';
import type { PinnedKey } from '../../../../../daemon/logs/ingest-rules.js';
import { checkDelivery } from '../../../../../daemon/logs/rabbitmq/delivery-rules.js';
import { makeBatch, makeLines, sealBatch } from '../../../../fixtures/logs/batches.js';

const alpha = generateSigningKey();
const beta = generateSigningKey();
const PINNED = new Map<string, PinnedKey>([
  [alpha.keyid, { cluster: 'alpha', key: alpha.publicKey }],
  [beta.keyid, { cluster: 'beta', key: beta.publicKey }],
]);
const check = (content: Buffer, userId: string | undefined) => checkDelivery({ content, userId, maxBytes: 1024 * 1024, keyFor: (k) => PINNED.get(k) });

describe('checkDelivery', () => {
  it("accepts a signed batch carrying its cluster's user_id", () => {
    const batch = makeBatch('alpha', makeLines('alpha', 0, 3));
    const v = check(sealBatch(batch, alpha), clusterUserName('alpha'));
    expect(v.ok && v.accepted.batch.records.map((r) => r.id)).toEqual(batch.records.map((r) => r.id));
  });

  it("refuses another cluster's user_id, or none, as wrong_user", () => {
    const body = sealBatch(makeBatch('alpha', makeLines('alpha', 0, 1)), alpha);
    expect(check(body, clusterUserName('beta'))).toMatchObject({ ok: false, reason: 'wrong_user', cluster: 'alpha' });
    expect(check(body, undefined)).toMatchObject({ ok: false, reason: 'wrong_user', cluster: 'alpha' });
    expect(check(body, 'flotilla-admin')).toMatchObject({ ok: false, reason: 'wrong_user' });
  });

  it('reports the HTTP ingest reasons first: garbage, an unknown key, a forged cluster', () => {
    expect(check(Buffer.from('not json'), clusterUserName('alpha'))).toMatchObject({ ok: false, reason: 'malformed_json', cluster: null });
    const stranger = generateSigningKey();
    expect(check(sealBatch(makeBatch('alpha', makeLines('alpha', 0, 1)), stranger), clusterUserName('alpha'))).toMatchObject({ ok: false, reason: 'unknown_key' });
    // beta's key signing a batch that claims to be alpha's
    expect(check(sealBatch(makeBatch('alpha', makeLines('alpha', 0, 1)), beta), clusterUserName('alpha'))).toMatchObject({ ok: false, reason: 'wrong_cluster', cluster: 'beta' });
  });
});
