// Every envelope of the negative corpus (test/fixtures/jobs/negative) through the real runner against
// counting actions: none executes, each ends with its expected reason (a signed result when it is the
// control plane's job for that seq, a status-report rejection otherwise; envelopes written over a
// finished seq are never read at all), and a valid job still runs.
import { afterAll, describe, expect, it } from 'vitest';
import { JobRunner } from '../../../../agent/jobs/runner.js';
import { openOwnResult } from '../../../../agent/jobs/result.js';
import { silentLogger } from '../../../../core/log.js';
import { storeKeys } from '../../../../core/store/types.js';
import { cleanupTempDirs, tempDir } from '../../../harness/tmp.js';
import { CORPUS_CLUSTER, CORPUS_NOW, corpusBytes, CountingActions, fixtureKeys, MemoryStore, readCorpus } from '../../../fixtures/jobs/helpers.js';

afterAll(() => cleanupTempDirs());

describe('negative job corpus', () => {
  const corpus = readCorpus();
  const keys = fixtureKeys();

  it('has at least 40 cases', () => {
    expect(corpus.cases.length).toBeGreaterThanOrEqual(40);
  });

  it('refuses every case with its reason, runs none, and still runs the valid job after them', async () => {
    const store = new MemoryStore();
    const actions = new CountingActions();
    const runner = await JobRunner.open({
      cluster: CORPUS_CLUSTER,
      store,
      actions,
      key: keys.agent,
      encryption: keys.agentEncryption,
      controlPlane: { keyid: keys.controlPlane.keyid, publicKey: keys.controlPlane.publicKey },
      dataDir: tempDir(),
      pollIntervalMs: 1000,
      logger: silentLogger(),
      clock: () => CORPUS_NOW,
    });
    const resultAt = async (seq: number) => {
      const obj = await store.get(storeKeys.result(CORPUS_CLUSTER, seq), 1 << 20);
      return obj ? openOwnResult(obj.body, keys.agent, CORPUS_CLUSTER, seq) : null;
    };

    for (const s of corpus.setup) {
      await store.put(storeKeys.job(CORPUS_CLUSTER, s.seq), corpusBytes(s.file));
    }
    await runner.pollNow();
    expect(actions.totalEffects).toBe(corpus.setup.length);
    expect(runner.lastJobSeq()).toBe(corpus.setup.length);

    const outcomes: string[] = [];
    for (const c of corpus.cases) {
      const key = storeKeys.job(CORPUS_CLUSTER, c.seq);
      const before = runner.lastJobSeq();
      await store.put(key, corpusBytes(c.file, c.padTo));
      await runner.pollNow();
      if (c.expect.via === 'result') {
        const result = await resultAt(c.seq);
        outcomes.push(`${c.file}: ${result?.state}/${result?.reason ?? '-'}`);
        expect(runner.lastJobSeq(), c.file).toBe(c.seq);
      } else if (c.expect.via === 'unread') {
        // Below the high-water: never read, so neither run nor reported.
        const rejections = runner.pendingRejections().filter((r) => r.key === key);
        outcomes.push(`${c.file}: unread${rejections.length > 0 ? `/${rejections.map((r) => r.reason).join(',')}` : ''}`);
        expect(runner.lastJobSeq(), c.file).toBe(before);
      } else {
        const rejections = runner.pendingRejections().filter((r) => r.key === key);
        outcomes.push(`${c.file}: report/${rejections.map((r) => r.reason).join(',')}`);
        expect(runner.lastJobSeq(), c.file).toBe(before);
        runner.rejectionsReported(rejections);
        // A refused envelope at the next seq blocks it until the real job replaces it.
        if (c.seq > before) await store.delete(key);
        await runner.pollNow();
      }
    }
    const expected = corpus.cases.map((c) => `${c.file}: ${c.expect.via === 'result' ? `${c.expect.state}/${c.expect.reason ?? '-'}` : c.expect.via === 'unread' ? 'unread' : `report/${c.expect.reason}`}`);
    expect(outcomes).toEqual(expected);
    expect(actions.calls).toBe(corpus.setup.length);

    await store.put(storeKeys.job(CORPUS_CLUSTER, corpus.after.seq), corpusBytes(corpus.after.file));
    await runner.pollNow();
    expect((await resultAt(corpus.after.seq))?.state).toBe('succeeded');
    expect(actions.totalEffects).toBe(corpus.setup.length + 1);
    await runner.stop();
  });
});
