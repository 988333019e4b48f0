// verifyJob on its own (it is pure): every envelope of the negative corpus gets its verdict kind and
// reason, each check's boundary (clock skew, expiry, resume, cancel targets, sealed credentials) is
// pinned, and no bytes at all — seeded random ones, or a valid envelope with any one byte changed —
// make it throw or run anything but the job the control plane signed.
import { describe, expect, it } from 'vitest';
import { NIL_UUID, verifyJob, type TargetState, type VerifyContext } from '../../../../agent/jobs/verify.js';
import { openEnvelope, PAYLOAD_TYPES, sealEnvelope } from '../../../../core/dsse.js';
import { JOB_LIMITS } from '../../../../core/jobs.js';
import { seal, sealContext } from '../../../../core/secrets.js';
import { createRng } from '../../../../agent/sim/rng.js';
import { CORPUS_CLUSTER as C, CORPUS_NOW, corpusBytes, fixtureKeys, readCorpus } from '../../../fixtures/jobs/helpers.js';

const keys = fixtureKeys();
const corpus = readCorpus();

/** The ids of the corpus's setup jobs 1-3, as the journal would remember them. */
const setupIds = new Map(
  corpus.setup.map((s) => {
    const opened = openEnvelope(corpusBytes(s.file), { payloadType: PAYLOAD_TYPES.job, maxBytes: JOB_LIMITS.maxEnvelopeBytes, keyFor: () => keys.controlPlane.publicKey });
    return [s.seq, (opened.payload as { id: string }).id] as const;
  }),
);

function ctx(over: Partial<VerifyContext> = {}): VerifyContext {
  const lastFinishedSeq = over.lastFinishedSeq ?? 0;
  return {
    cluster: C,
    agentKeyId: keys.agent.keyid,
    controlPlane: { keyid: keys.controlPlane.keyid, publicKey: keys.controlPlane.publicKey },
    encryption: keys.agentEncryption,
    lastFinishedSeq,
    journaledId: (s) => (s <= lastFinishedSeq ? setupIds.get(s) : undefined),
    targetState: (s, id): TargetState => (s <= lastFinishedSeq && setupIds.get(s) === id ? 'journaled' : 'unknown'),
    now: CORPUS_NOW,
    ...over,
  };
}

let n = 0;
function payload(seq: number, type: string, params: unknown, over: Record<string, unknown> = {}): Record<string, unknown> {
  n += 1;
  const id = `30000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  return { cluster: C, agentKeyId: keys.agent.keyid, seq, id, type, params, issuedAt: '2030-05-31T23:00:00.000Z', notAfter: '2030-06-01T01:00:00.000Z', destructive: false, issuer: { tokenId: 't', name: 'test' }, ...over };
}
const signed = (p: unknown) => sealEnvelope(PAYLOAD_TYPES.job, p, keys.controlPlane);
const scale = { namespace: 'web', name: 'frontend', replicas: 3 };

describe('verifyJob on the negative corpus', () => {
  it.each(corpus.cases.map((c) => [c.file, c] as const))('%s', (_file, c) => {
    // Report and unread cases sit at or below the next seq after setup; the others each take their own seq.
    const lastFinishedSeq = c.expect.via === 'result' ? c.seq - 1 : corpus.setup.length;
    const verdict = verifyJob(corpusBytes(c.file, c.padTo), c.seq, ctx({ lastFinishedSeq }));
    if (c.expect.via === 'result' && c.expect.state === 'expired') {
      expect(verdict.kind).toBe('expired');
    } else if (c.expect.via === 'result') {
      expect(verdict).toMatchObject({ kind: 'rejected', seq: c.seq, reason: c.expect.reason });
    } else {
      expect(verdict).toMatchObject({ kind: 'refused', reason: c.expect.reason });
    }
  });

  it('runs the setup jobs and the job after the corpus', () => {
    for (const s of corpus.setup) expect(verifyJob(corpusBytes(s.file), s.seq, ctx({ lastFinishedSeq: s.seq - 1 })).kind).toBe('run');
    expect(verifyJob(corpusBytes(corpus.after.file), corpus.after.seq, ctx({ lastFinishedSeq: corpus.after.seq - 1 })).kind).toBe('run');
  });

  it('answers a signed job without a usable id with the nil uuid, so its result can still be written', () => {
    const c = corpus.cases.find((x) => x.file.endsWith('bad-id.json'));
    if (!c) throw new Error('corpus lacks bad-id');
    expect(verifyJob(corpusBytes(c.file), c.seq, ctx({ lastFinishedSeq: c.seq - 1 }))).toMatchObject({ kind: 'rejected', id: NIL_UUID });
  });
});

describe('verifyJob checks', () => {
  it('runs a valid job with its params completed by the type’s schema', () => {
    const p = payload(1, 'scale', scale);
    const v = verifyJob(signed(p), 1, ctx());
    expect(v).toMatchObject({ kind: 'run', payload: { id: p.id, seq: 1 }, job: { type: 'scale', params: { ...scale, kind: 'Deployment' } } });
    expect(verifyJob(signed(payload(1, 'drain', { node: 'n1' })), 1, ctx())).toMatchObject({ kind: 'run', job: { params: { node: 'n1', timeoutSeconds: 300 } } });
  });

  it('names another registration’s job wrong_agent before looking at its seq, so it can never consume one', () => {
    const other = payload(5, 'scale', scale, { agentKeyId: keys.other.keyid });
    expect(verifyJob(signed(other), 2, ctx())).toMatchObject({ kind: 'refused', reason: 'wrong_agent' });
    expect(verifyJob(signed(other), 5, ctx({ lastFinishedSeq: 9 }))).toMatchObject({ kind: 'refused', reason: 'wrong_agent' });
  });

  it('tells a replay of the finished job from a different job at a finished seq', () => {
    const again = payload(2, 'scale', scale, { id: setupIds.get(2) });
    expect(verifyJob(signed(again), 2, ctx({ lastFinishedSeq: 3 }))).toMatchObject({ kind: 'refused', reason: 'replayed' });
    expect(verifyJob(signed(payload(2, 'scale', scale)), 2, ctx({ lastFinishedSeq: 3 }))).toMatchObject({ kind: 'refused', reason: 'rolled_back' });
    // A journal that no longer remembers the seq (compacted, or a raised floor) says rolled_back.
    expect(verifyJob(signed(again), 2, ctx({ lastFinishedSeq: 3, journaledId: () => undefined }))).toMatchObject({ kind: 'refused', reason: 'rolled_back' });
  });

  it('allows a minute of clock skew for notBefore, and expires a job the instant after notAfter', () => {
    const skew = (ms: number) => new Date(CORPUS_NOW.getTime() + ms).toISOString();
    expect(verifyJob(signed(payload(1, 'scale', scale, { notBefore: skew(JOB_LIMITS.skewMs) })), 1, ctx()).kind).toBe('run');
    expect(verifyJob(signed(payload(1, 'scale', scale, { notBefore: skew(JOB_LIMITS.skewMs + 1) })), 1, ctx())).toMatchObject({ kind: 'rejected', reason: 'not_yet_valid' });
    const at = payload(1, 'scale', scale, { notAfter: CORPUS_NOW.toISOString() });
    expect(verifyJob(signed(at), 1, ctx()).kind).toBe('run');
    expect(verifyJob(signed(at), 1, ctx({ now: new Date(CORPUS_NOW.getTime() + 1) }))).toMatchObject({ kind: 'expired', payload: { id: at.id } });
  });

  it('skips only the time checks when resuming a job it had started', () => {
    const late = payload(1, 'scale', scale, { notAfter: '2030-05-31T23:30:00.000Z' });
    expect(verifyJob(signed(late), 1, ctx()).kind).toBe('expired');
    expect(verifyJob(signed(late), 1, ctx({ resume: true })).kind).toBe('run');
    expect(verifyJob(signed(late), 1, ctx({ resume: true, lastFinishedSeq: 1 }))).toMatchObject({ kind: 'refused', reason: 'rolled_back' });
    expect(verifyJob(signed(payload(1, 'scale', { ...scale, replicas: -1 })), 1, ctx({ resume: true }))).toMatchObject({ kind: 'rejected', reason: 'bad_params' });
  });

  it('opens sealed credentials only with this cluster’s key for this job', () => {
    const p = payload(1, 'rotate-credentials', {}, { destructive: true });
    p.params = { namespace: 'web', target: 'secret', name: 'db', sealed: seal(Buffer.from(JSON.stringify({ password: 'pw', apiKey: 'k' })), keys.agentEncryption.publicKey, sealContext(C, p.id as string)) };
    expect(verifyJob(signed(p), 1, ctx())).toMatchObject({ kind: 'run', secret: { password: 'pw', apiKey: 'k' } });
    expect(verifyJob(signed(p), 1, ctx({ encryption: keys.otherEncryption }))).toMatchObject({ kind: 'rejected', reason: 'decrypt_failed' });
  });

  it('runs a cancel only for an earlier job that is waiting or finished, asking about nothing later', () => {
    const asked: number[] = [];
    const targetState = (state: TargetState) => (s: number): TargetState => {
      asked.push(s);
      return state;
    };
    const cancel = (seq: number, targetSeq: number) => signed(payload(seq, 'cancel', { targetSeq, targetId: '40000000-0000-4000-8000-000000000001' }));
    expect(verifyJob(cancel(5, 4), 5, ctx({ lastFinishedSeq: 3, targetState: targetState('pending') })).kind).toBe('run');
    expect(verifyJob(cancel(5, 2), 5, ctx({ lastFinishedSeq: 4, targetState: targetState('journaled') })).kind).toBe('run');
    expect(verifyJob(cancel(5, 4), 5, ctx({ lastFinishedSeq: 3, targetState: targetState('unknown') }))).toMatchObject({ kind: 'rejected', reason: 'unknown_target' });
    expect(asked).toEqual([4, 2, 4]);
    expect(verifyJob(cancel(5, 5), 5, ctx({ lastFinishedSeq: 4, targetState: targetState('pending') }))).toMatchObject({ kind: 'rejected', reason: 'unknown_target' });
    expect(verifyJob(cancel(5, 9), 5, ctx({ lastFinishedSeq: 4, targetState: targetState('pending') }))).toMatchObject({ kind: 'rejected', reason: 'unknown_target' });
    expect(asked).toEqual([4, 2, 4]);
  });

  it('never throws on arbitrary bytes and never runs them', () => {
    const rng = createRng(6);
    for (let i = 0; i < 500; i += 1) {
      const bytes = Buffer.from(Array.from({ length: rng.int(0, 2048) }, () => rng.int(0, 255)));
      expect(verifyJob(bytes, rng.int(1, 1000), ctx()).kind).toBe('refused');
    }
    // Well-formed JSON that is not an envelope, too.
    for (const v of [null, 0, 'x', [], {}, { payloadType: PAYLOAD_TYPES.job }, { payloadType: PAYLOAD_TYPES.job, payload: '', signatures: [{}] }]) {
      expect(verifyJob(Buffer.from(JSON.stringify(v)), 1, ctx()).kind).toBe('refused');
    }
  });

  it('runs a valid envelope with any one byte changed only if it still carries exactly the signed payload', () => {
    const p = payload(1, 'scale', scale);
    const body = signed(p);
    for (let at = 0; at < body.length; at += 1) {
      for (const xor of [0x01, 0x20, 0x80, 0xff]) {
        const changed = Buffer.from(body);
        changed[at] = (changed[at] ?? 0) ^ xor;
        const v = verifyJob(changed, 1, ctx());
        if (v.kind === 'run') expect(v.payload).toEqual(p);
        else expect(v.kind).toBe('refused');
      }
    }
  });
});

describe('agent job verification bounds', () => {
  const nested = (depth: number): unknown => JSON.parse(`${'{"a":'.repeat(depth)}"x"${'}'.repeat(depth)}`);
  const applyJob = (data: unknown) => {
    const p = payload(1, 'apply', { objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'apps' }, data }] });
    return { body: signed(p), id: p.id as string };
  };

  it('runs an apply whose params are exactly at the depth limit', () => {
    expect(verifyJob(applyJob(nested(JOB_LIMITS.params.maxDepth - 3)).body, 1, ctx()).kind).toBe('run');
  });

  it('rejects, as bad_params on its own seq, a signed job nested past the limit', () => {
    for (const depth of [JOB_LIMITS.params.maxDepth - 2, 3000]) {
      const job = applyJob(nested(depth));
      expect(verifyJob(job.body, 1, ctx())).toEqual({ kind: 'rejected', seq: 1, id: job.id, reason: 'bad_params', detail: `apply params nest deeper than ${JOB_LIMITS.params.maxDepth} levels` });
    }
  });

  it('rejects signed params over the size limit', () => {
    const verdict = verifyJob(applyJob({ big: 'x'.repeat(JOB_LIMITS.params.maxBytes) }).body, 1, ctx());
    expect(verdict).toMatchObject({ kind: 'rejected', reason: 'bad_params', detail: expect.stringMatching(/^apply params are \d+ bytes of JSON, over the 1048576-byte limit$/) as unknown });
  });
});
