// The job journal on a real data dir: its high-water seq never goes down within one registration
// (scope = the agent key id the jobs are issued to), and a journal opened for another registration
// starts empty, so nothing of the old one can be replayed into the new one.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JOURNAL_FILE, JOURNAL_KEEP_FINISHED, JobJournal } from '../../../../agent/jobs/journal.js';
import { FlotillaError } from '../../../../core/errors.js';
import { cleanupTempDirs, tempDir } from '../../../harness/tmp.js';

afterAll(cleanupTempDirs);

const OLD = 'ed25519:00000000000000000000000000000001';
const NEW = 'ed25519:00000000000000000000000000000002';
const at = '2030-06-01T00:00:00.000Z';

async function finish(j: JobJournal, seq: number, id = `id-${seq}`): Promise<void> {
  await j.recordStarted({ seq, id, type: 'scale', at, envelope: `envelope ${seq}` });
  await j.recordFinished({ seq, id, type: 'scale', state: 'succeeded', at, result: `result ${seq}` });
}

async function withJournal<T>(dir: string, scope: string, fn: (j: JobJournal, load: Awaited<ReturnType<typeof JobJournal.open>>['load']) => Promise<T>): Promise<T> {
  const { journal, load } = await JobJournal.open(dir, scope);
  try {
    return await fn(journal, load);
  } finally {
    await journal.close();
  }
}

function lines(dir: string): Record<string, unknown>[] {
  return readFileSync(join(dir, JOURNAL_FILE), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('job journal', () => {
  it('keeps the high-water seq of its registration across restarts and refuses to go back', async () => {
    const dir = tempDir();
    await withJournal(dir, OLD, async (j, load) => {
      expect(load).toEqual({ skippedLines: 0 });
      for (const seq of [1, 2, 3]) await finish(j, seq);
    });
    await withJournal(dir, OLD, async (j, load) => {
      expect(load.discardedScope).toBeUndefined();
      expect(j.lastFinished).toBe(3);
      expect(j.finished(2)).toMatchObject({ seq: 2, id: 'id-2', result: 'result 2' });
      await expect(j.recordStarted({ seq: 3, id: 'again', type: 'scale', at, envelope: 'x' })).rejects.toThrow(FlotillaError);
      await expect(j.recordFinished({ seq: 1, id: 'id-1', type: 'scale', state: 'succeeded', at, result: 'x' })).rejects.toThrow(/at or below the last finished seq 3/);
    });
    expect(lines(dir)[0]).toEqual({ t: 'checkpoint', lastFinished: 3, scope: OLD });
  });

  it('starts a new registration empty: no high-water, no finished records, no job left in flight', async () => {
    const dir = tempDir();
    await withJournal(dir, OLD, async (j) => {
      for (const seq of [1, 2, 3, 4, 5]) await finish(j, seq);
      await j.recordStarted({ seq: 6, id: 'id-6', type: 'drain', at, envelope: 'old drain' });
    });
    await withJournal(dir, NEW, async (j, load) => {
      expect(load.discardedScope).toEqual({ scope: OLD, lastFinished: 5 });
      expect(j.lastFinished).toBe(0);
      expect(j.recentFinished()).toEqual([]);
      expect(j.inFlight()).toBeUndefined();
      // Seq 1 of the new registration is new work.
      await finish(j, 1, 'new-1');
    });
    // The old registration's records are gone from the file, not merely hidden: reopening under the
    // old key finds nothing of it either.
    expect(lines(dir)).toEqual([
      { t: 'checkpoint', lastFinished: 0, scope: NEW },
      expect.objectContaining({ t: 'started', seq: 1, id: 'new-1' }),
      expect.objectContaining({ t: 'finished', seq: 1, id: 'new-1' }),
    ]);
    await withJournal(dir, OLD, async (j, load) => {
      expect(load.discardedScope).toEqual({ scope: NEW, lastFinished: 1 });
      expect(j.lastFinished).toBe(0);
    });
  });

  it('reads only the records after the last scope change in a file', async () => {
    const dir = tempDir();
    const rec = (o: object) => `${JSON.stringify(o)}\n`;
    writeFileSync(
      join(dir, JOURNAL_FILE),
      rec({ t: 'checkpoint', lastFinished: 9, scope: OLD }) +
        rec({ t: 'finished', seq: 10, id: 'old-10', type: 'scale', state: 'succeeded', at, result: 'r' }) +
        rec({ t: 'checkpoint', lastFinished: 0, scope: NEW }) +
        rec({ t: 'finished', seq: 1, id: 'new-1', type: 'scale', state: 'succeeded', at, result: 'r' }),
    );
    await withJournal(dir, NEW, async (j, load) => {
      expect(load.discardedScope).toBeUndefined();
      expect(j.lastFinished).toBe(1);
      expect(j.finished(10)).toBeUndefined();
    });
  });

  it('adopts a journal written before scopes existed: it belonged to the one registration the agent had', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, JOURNAL_FILE),
      `${JSON.stringify({ t: 'checkpoint', lastFinished: 7 })}\n${JSON.stringify({ t: 'finished', seq: 8, id: 'id-8', type: 'scale', state: 'succeeded', at, result: 'r' })}\n`,
    );
    await withJournal(dir, OLD, async (j, load) => {
      expect(load.discardedScope).toBeUndefined();
      expect(j.lastFinished).toBe(8);
    });
    expect(lines(dir)[0]).toEqual({ t: 'checkpoint', lastFinished: 8, scope: OLD });
  });

  it('raises its floor from outside evidence, never lowers it, and keeps it across restarts', async () => {
    const dir = tempDir();
    await withJournal(dir, OLD, async (j) => {
      await finish(j, 1);
      await j.recordStarted({ seq: 2, id: 'id-2', type: 'scale', at, envelope: 'e' });
      await j.raiseFloor(40);
      expect(j.lastFinished).toBe(40);
      // A start at or below the floor is not in flight: it is reported finished.
      expect(j.inFlight()).toBeUndefined();
      await j.raiseFloor(12);
      expect(j.lastFinished).toBe(40);
    });
    await withJournal(dir, OLD, async (j) => {
      expect(j.lastFinished).toBe(40);
      await expect(j.recordStarted({ seq: 40, id: 'x', type: 'scale', at, envelope: 'e' })).rejects.toThrow(FlotillaError);
    });
  });

  it('ignores a torn last line and keeps the newest finished records when it compacts', async () => {
    const dir = tempDir();
    const total = JOURNAL_KEEP_FINISHED + 20;
    await withJournal(dir, OLD, async (j) => {
      for (let seq = 1; seq <= total; seq += 1) await j.recordFinished({ seq, id: `id-${seq}`, type: 'cordon', state: 'succeeded', at, result: 'r' });
    });
    appendFileSync(join(dir, JOURNAL_FILE), '{"t":"finished","seq":9999,"id":"tor');
    await withJournal(dir, OLD, async (j, load) => {
      expect(load.skippedLines).toBe(1);
      expect(j.lastFinished).toBe(total);
      expect(j.recentFinished()).toHaveLength(JOURNAL_KEEP_FINISHED);
      expect(j.finished(20)).toBeUndefined();
      expect(j.finished(21)?.id).toBe('id-21');
    });
    expect(lines(dir)).toHaveLength(1 + JOURNAL_KEEP_FINISHED);
  });
});
