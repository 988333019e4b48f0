// The ingest checks of POST /api/v1/ingest/logs, in their order, with real DSSE envelopes: every
// refusal names its reason and its HTTP status, and the first failing check is the one reported.
import { describe, expect, it } from 'vitest';
import { PAYLOAD_TYPES, sealEnvelope } from '../../../../core/dsse.js';
import { generateSigningKey } from '../../../../core/keys.js';
import { checkLogBatch, IngestRefused, type PinnedKey } from '../../../../daemon/logs/ingest-rules.js';
import { makeBatch, makeLines, sealBatch } from '../../../fixtures/logs/batches.js';

const alpha = generateSigningKey();
const beta = generateSigningKey();
const stranger = generateSigningKey();
const PINNED = new Map<string, PinnedKey>([
  [alpha.keyid, { cluster: 'alpha', key: alpha.publicKey }],
  [beta.keyid, { cluster: 'beta', key: beta.publicKey }],
]);
const keyFor = (keyid: string) => PINNED.get(keyid);

function refusal(body: Buffer, maxBytes = 1024 * 1024): { reason: string; status: number; cluster: string | null; message: string } {
  try {
    checkLogBatch({ body, maxBytes, keyFor });
  } catch (e) {
    if (e instanceof IngestRefused) return { reason: e.reason, status: e.httpStatus, cluster: e.cluster, message: e.message };
    throw e;
  }
  throw new Error('accepted');
}

describe('checkLogBatch', () => {
  it("accepts a batch signed by its cluster's pinned key", () => {
    const batch = makeBatch('alpha', makeLines('alpha', 0, 3));
    const ok = checkLogBatch({ body: sealBatch(batch, alpha), maxBytes: 1024 * 1024, keyFor });
    expect(ok.cluster).toBe('alpha');
    expect(ok.keyid).toBe(alpha.keyid);
    expect(ok.batch.records.map((r) => r.id)).toEqual(batch.records.map((r) => r.id));
    expect(ok.batch.drops).toEqual([]);
  });

  it('refuses an oversize body with 413 before reading it as JSON', () => {
    const body = Buffer.from('x'.repeat(2048));
    expect(refusal(body, 1024)).toMatchObject({ reason: 'oversize', status: 413 });
  });

  it('refuses malformed bytes, JSON and envelopes with 400', () => {
    expect(refusal(Buffer.from([0xff, 0xfe, 0x7b]))).toMatchObject({ reason: 'invalid_utf8', status: 400 });
    expect(refusal(Buffer.from('{"payloadType":'))).toMatchObject({ reason: 'malformed_json', status: 400 });
    expect(refusal(Buffer.from('[1,2]'))).toMatchObject({ reason: 'malformed_envelope', status: 400 });
    expect(refusal(Buffer.from(JSON.stringify({ payloadType: PAYLOAD_TYPES.logBatch, payload: '!!', signatures: [] })))).toMatchObject({ reason: 'malformed_envelope', status: 400 });
  });

  it('refuses another payload type with 400, even when signed by a pinned key', () => {
    const body = sealEnvelope(PAYLOAD_TYPES.status, makeBatch('alpha', []), alpha);
    expect(refusal(body)).toMatchObject({ reason: 'wrong_payload_type', status: 400 });
  });

  it('refuses an unknown key and a forged signature with 401', () => {
    expect(refusal(sealBatch(makeBatch('alpha', makeLines('alpha', 0, 1)), stranger))).toMatchObject({ reason: 'unknown_key', status: 401, cluster: null });
    // alpha's key id on a signature made by another key
    const forged = JSON.parse(sealBatch(makeBatch('alpha', makeLines('alpha', 0, 1)), stranger).toString('utf8')) as { signatures: { keyid: string }[] };
    forged.signatures[0]!.keyid = alpha.keyid;
    expect(refusal(Buffer.from(JSON.stringify(forged)))).toMatchObject({ reason: 'bad_signature', status: 401 });
    // a payload changed after signing
    const tampered = JSON.parse(sealBatch(makeBatch('alpha', makeLines('alpha', 0, 1)), alpha).toString('utf8')) as { payload: string };
    tampered.payload = Buffer.from(JSON.stringify(makeBatch('alpha', makeLines('alpha', 0, 2)))).toString('base64');
    expect(refusal(Buffer.from(JSON.stringify(tampered)))).toMatchObject({ reason: 'bad_signature', status: 401 });
  });

  it('refuses a signed payload that is no log batch with 400, naming the field and the cluster', () => {
    const r = refusal(sealBatch({ ...makeBatch('alpha', makeLines('alpha', 0, 1)), extra: true }, alpha));
    expect(r).toMatchObject({ reason: 'malformed_payload', status: 400, cluster: 'alpha' });
    const bad = makeBatch('alpha', [{ ...makeLines('alpha', 0, 1)[0]!, id: 'not-hex' }]);
    expect(refusal(sealBatch(bad, alpha)).message).toMatch(/records\.0\.id/);
  });

  it("refuses with 409 a batch naming another cluster than its key's, or holding another cluster's record", () => {
    expect(refusal(sealBatch(makeBatch('beta', makeLines('beta', 0, 1)), alpha))).toMatchObject({ reason: 'wrong_cluster', status: 409, cluster: 'alpha' });
    const mixed = makeBatch('alpha', [...makeLines('alpha', 0, 2), ...makeLines('beta', 0, 1)]);
    const r = refusal(sealBatch(mixed, alpha));
    expect(r).toMatchObject({ reason: 'wrong_cluster', status: 409 });
    expect(r.message).toMatch(/record 2 names cluster "beta"/);
  });

  it('checks in order: a forged batch for another cluster is refused for its key, not its cluster', () => {
    expect(refusal(sealBatch(makeBatch('beta', makeLines('beta', 0, 1)), stranger)).reason).toBe('unknown_key');
    expect(refusal(sealBatch({ cluster: 'beta' }, stranger)).reason).toBe('unknown_key');
  });
});
