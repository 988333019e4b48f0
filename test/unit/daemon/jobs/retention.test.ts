import { describe, expect, it } from 'vitest';
import { createRng } from '../../../../agent/sim/rng.js';
import { retentionExpired, retentionPolicy, type FinishedInStore } from '../../../../daemon/jobs/retention.js';

const HOUR = 60 * 60 * 1000;
const NOW = Date.parse('2030-06-01T00:00:00.000Z');
/** Jobs 1..n, job k collected (n - k) hours before NOW: the newest is the youngest. */
const hourly = (n: number): FinishedInStore[] => Array.from({ length: n }, (_, i) => ({ seq: i + 1, collectedAtMs: NOW - (n - 1 - i) * HOUR }));

describe('job retention rule', () => {
  it('reads the policy from daemon.yaml’s jobs.retention', () => {
    expect(retentionPolicy({ keepLast: 100, keepHours: 24 })).toEqual({ keepLast: 100, keepForMs: 24 * HOUR });
  });

  it('keeps the newest keepLast jobs however old they are', () => {
    const old = Array.from({ length: 5 }, (_, i) => ({ seq: i + 1, collectedAtMs: NOW - 1000 * HOUR }));
    expect(retentionExpired(old, { keepLast: 3, keepForMs: HOUR }, NOW)).toEqual([1, 2]);
    expect(retentionExpired(old, { keepLast: 5, keepForMs: HOUR }, NOW)).toEqual([]);
  });

  it('keeps every job collected less than keepFor ago however many came after it', () => {
    expect(retentionExpired(hourly(10), { keepLast: 1, keepForMs: 4 * HOUR }, NOW)).toEqual([1, 2, 3, 4, 5, 6]);
    // Exactly keepFor old is old enough.
    expect(retentionExpired(hourly(10), { keepLast: 1, keepForMs: 9 * HOUR }, NOW)).toEqual([1]);
    expect(retentionExpired(hourly(10), { keepLast: 1, keepForMs: 9 * HOUR + 1 }, NOW)).toEqual([]);
  });

  it('deletes a job only when it is both beyond the count and past the age', () => {
    // Count alone would delete 1-7; age alone 1-5: both hold for 1-5.
    expect(retentionExpired(hourly(10), { keepLast: 3, keepForMs: 5 * HOUR }, NOW)).toEqual([1, 2, 3, 4, 5]);
    // With no age limit the count decides.
    expect(retentionExpired(hourly(10), { keepLast: 3, keepForMs: 0 }, NOW)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('always keeps the newest job, so the newest result stays for an agent that lost its journal', () => {
    expect(retentionExpired(hourly(4), { keepLast: 0, keepForMs: 0 }, NOW)).toEqual([1, 2, 3]);
    expect(retentionExpired(hourly(1), { keepLast: 0, keepForMs: 0 }, NOW)).toEqual([]);
    expect(retentionExpired([], { keepLast: 1, keepForMs: 0 }, NOW)).toEqual([]);
  });

  it('orders by seq, not by input order or collection time', () => {
    // A result collected late (daemon restart) is still older by seq than the newer jobs.
    const jobs = [
      { seq: 3, collectedAtMs: NOW - 10 * HOUR },
      { seq: 1, collectedAtMs: NOW - 10 * HOUR },
      { seq: 2, collectedAtMs: NOW },
      { seq: 4, collectedAtMs: NOW - 10 * HOUR },
    ];
    expect(retentionExpired(jobs, { keepLast: 1, keepForMs: HOUR }, NOW)).toEqual([1, 3]);
  });

  it('on any input, deletes exactly the jobs outside the newest keepLast that are at least keepFor old', () => {
    const rng = createRng(11);
    for (let round = 0; round < 300; round += 1) {
      const seqs = [...new Set(Array.from({ length: rng.int(0, 60) }, () => rng.int(1, 500)))];
      const jobs = seqs.map((seq) => ({ seq, collectedAtMs: NOW - rng.int(0, 48) * HOUR }));
      const policy = { keepLast: rng.int(1, 20), keepForMs: rng.int(0, 48) * HOUR };
      const deleted = retentionExpired(jobs, policy, NOW);
      const newest = new Set([...seqs].sort((a, b) => b - a).slice(0, policy.keepLast));
      const expected = jobs.filter((j) => !newest.has(j.seq) && NOW - j.collectedAtMs >= policy.keepForMs).map((j) => j.seq);
      expect(deleted).toEqual(expected.sort((a, b) => a - b));
    }
  });
});
