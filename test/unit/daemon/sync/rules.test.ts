import { describe, expect, it } from 'vitest';
import type { AgentConfig } from '../../../../config/schemas.js';
import { EnvelopeRejected, PAYLOAD_TYPES, sealEnvelope } from '../../../../core/dsse.js';
import { generateSigningKey } from '../../../../core/keys.js';
import { tokenHash } from '../../../../core/registration.js';
import type { ObjectStore } from '../../../../core/store/types.js';
import type { ClusterRecord } from '../../../../daemon/registry/cluster-record.js';
import { checkRegistration, checkStatus, REGISTRATION_MAX_BYTES, type StatusContext } from '../../../../daemon/sync/rules.js';
import { FakeAgent, makeStatusReport } from '../../../harness/fake-agent.js';

const TOKEN = 'fbt_0123456789abcdef0123456789abcdef';
const bundle = { cluster: 'c1', bootstrapToken: TOKEN, status: { intervalSeconds: 10 } } as AgentConfig;
const agent = new FakeAgent(bundle, {} as ObjectStore);

function record(over: Partial<ClusterRecord> = {}): ClusterRecord {
  return {
    name: 'c1',
    labels: {},
    createdAt: '2025-01-01T00:00:00Z',
    expiresAt: null,
    intervalSeconds: 10,
    registration: 'pending',
    tokenHash: tokenHash(TOKEN),
    tokenBurned: false,
    agentKeyid: null,
    agentPublicKey: null,
    registeredAt: null,
    health: 'unknown',
    ...over,
  };
}

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof EnvelopeRejected) return e.reason;
    throw e;
  }
  return 'accepted';
}

describe('checkRegistration', () => {
  it('accepts a self-signed registration with the right proof', () => {
    const v = checkRegistration(agent.registrationEnvelope(), 'c1', record());
    expect(v).toMatchObject({ kind: 'register', registration: { keyid: agent.key.keyid } });
  });

  it('rejects each bad case with its reason', () => {
    const other = generateSigningKey();
    const registered = record({ registration: 'registered', tokenBurned: true, agentKeyid: 'ed25519:other' });
    expect(reason(() => checkRegistration(agent.registrationEnvelope(), 'c1', undefined))).toBe('unknown_cluster');
    expect(reason(() => checkRegistration(agent.registrationEnvelope({}, 'fbt_wrong-token-000000000000'), 'c1', record()))).toBe('bad_token');
    expect(reason(() => checkRegistration(agent.registrationEnvelope(), 'c1', record({ tokenBurned: true })))).toBe('token_reused');
    expect(reason(() => checkRegistration(agent.registrationEnvelope(), 'c1', registered))).toBe('token_reused');
    expect(reason(() => checkRegistration(agent.registrationEnvelope(), 'c1', record({ registration: 'expired' })))).toBe('bad_token');
    expect(reason(() => checkRegistration(agent.registrationEnvelope({ cluster: 'c2' }), 'c1', record()))).toBe('wrong_cluster');
    // Signed by a key other than the one it announces: the announced key does not verify it.
    const forged = sealEnvelope(PAYLOAD_TYPES.registration, agent.registration(), { ...other, keyid: agent.key.keyid });
    expect(reason(() => checkRegistration(forged, 'c1', record()))).toBe('bad_signature');
    // Announces a keyid that is not derived from the announced key.
    const misnamed = sealEnvelope(PAYLOAD_TYPES.registration, agent.registration({ keyid: other.keyid }), { ...agent.key, keyid: other.keyid });
    expect(reason(() => checkRegistration(misnamed, 'c1', record()))).toBe('unknown_key');
    expect(reason(() => checkRegistration(Buffer.alloc(REGISTRATION_MAX_BYTES + 1, 0x20), 'c1', record()))).toBe('oversize');
    expect(reason(() => checkRegistration(sealEnvelope(PAYLOAD_TYPES.status, agent.registration(), agent.key), 'c1', record()))).toBe('wrong_payload_type');
  });

  it('treats the same registration again for the pinned key as a duplicate, not a rejection', () => {
    const pinned = record({ registration: 'registered', tokenBurned: true, agentKeyid: agent.key.keyid });
    expect(checkRegistration(agent.registrationEnvelope(), 'c1', pinned)).toEqual({ kind: 'duplicate' });
  });
});

describe('checkStatus', () => {
  const ctx = (over: Partial<StatusContext> = {}): StatusContext => ({
    record: record({ registration: 'registered', tokenBurned: true, agentKeyid: agent.key.keyid }),
    agentKey: agent.key.publicKey,
    lastSeq: 4,
    maxBytes: 64 * 1024,
    ...over,
  });

  it('accepts a newer report signed by the pinned key', () => {
    expect(checkStatus(agent.statusEnvelope(makeStatusReport('c1', 5)), 'c1', ctx()).seq).toBe(5);
  });

  it('rejects each bad case with its reason', () => {
    const good = agent.statusEnvelope(makeStatusReport('c1', 5));
    expect(reason(() => checkStatus(good, 'c1', ctx({ record: undefined })))).toBe('unknown_cluster');
    expect(reason(() => checkStatus(good, 'c1', ctx({ agentKey: undefined })))).toBe('unknown_key');
    expect(reason(() => checkStatus(agent.statusEnvelope(makeStatusReport('c1', 5), generateSigningKey()), 'c1', ctx()))).toBe('unknown_key');
    const sameIdOtherKey = agent.statusEnvelope(makeStatusReport('c1', 5), { ...generateSigningKey(), keyid: agent.key.keyid });
    expect(reason(() => checkStatus(sameIdOtherKey, 'c1', ctx()))).toBe('bad_signature');
    expect(reason(() => checkStatus(agent.statusEnvelope(makeStatusReport('c2', 5)), 'c1', ctx()))).toBe('wrong_cluster');
    expect(reason(() => checkStatus(agent.statusEnvelope(makeStatusReport('c1', 4)), 'c1', ctx()))).toBe('stale');
    expect(reason(() => checkStatus(sealEnvelope(PAYLOAD_TYPES.status, { cluster: 'c1' }, agent.key), 'c1', ctx()))).toBe('malformed_payload');
    expect(reason(() => checkStatus(sealEnvelope(PAYLOAD_TYPES.job, makeStatusReport('c1', 5), agent.key), 'c1', ctx()))).toBe('wrong_payload_type');
    expect(reason(() => checkStatus(good.subarray(0, good.length / 2), 'c1', ctx()))).toBe('malformed_json');
    expect(reason(() => checkStatus(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'c1', ctx()))).toBe('invalid_utf8');
    expect(reason(() => checkStatus(good, 'c1', ctx({ maxBytes: 100 })))).toBe('oversize');
    expect(reason(() => checkStatus(Buffer.from('[1,2]'), 'c1', ctx()))).toBe('malformed_envelope');
  });
});
