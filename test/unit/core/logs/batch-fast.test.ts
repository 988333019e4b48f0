// The ingest fast check against the schema it stands in for: whatever it accepts, LogBatchSchema
// accepts with a deep-equal value, and whatever it is unsure of goes to zod, so parseLogBatch answers
// exactly what LogBatchSchema.safeParse answers. Payloads are built near every limit of the schema.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastLogBatch, parseLogBatch } from '../../../../core/logs/batch-fast.js';
import { LogBatchSchema } from '../../../../core/logs/batch.js';
import { LOG_LEVELS, LOG_LIMITS } from '../../../../core/logs/record.js';
import { makeBatch, makeDrop, makeLines } from '../../../fixtures/logs/batches.js';

const hex32 = fc.stringMatching(/^[0-9a-f]{32}$/);
const sized = (n: number) => 'x'.repeat(n);
const oneOf = (...xs: unknown[]) => fc.constantFrom(...xs);
/** Mostly a good value (so the fast path is taken often), sometimes one at or past a limit. */
const mostly = <T>(good: fc.Arbitrary<T>, edge: fc.Arbitrary<unknown>) => fc.oneof({ weight: 12, arbitrary: good }, { weight: 1, arbitrary: edge });

const id = mostly(hex32, oneOf('A'.repeat(32), 'a'.repeat(31), 'a'.repeat(33), 42, null));
const ts = mostly(
  fc.integer({ min: 0, max: 9 }).map((d) => `2026-12-01T10:00:00${d ? `.${'1'.repeat(d)}` : ''}Z`),
  oneOf('2026-12-01T10:00:00.1234567891Z', '2026-12-01T10:00:00', '2026-12-01t10:00:00Z', '2026-12-01 10:00:00Z', '', 0),
);
const clusterName = mostly(oneOf('a', 'prod-eu', sized(63)), oneOf(sized(64), '', 7));
const name = mostly(oneOf('', 'payments', sized(253)), oneOf(sized(254), null));
const fieldKey = fc.oneof({ weight: 12, arbitrary: fc.constantFrom('user_id', 'http.status', sized(LOG_LIMITS.fieldKeyChars), 'constructor', '0', '') }, { weight: 1, arbitrary: fc.constantFrom(sized(LOG_LIMITS.fieldKeyChars + 1), '__proto__') });
const fieldValue = mostly(oneOf('v', sized(LOG_LIMITS.fieldValueChars), 0, -0, 1.5, 1e308, true, false, null), oneOf(sized(LOG_LIMITS.fieldValueChars + 1), Infinity, NaN, undefined, {}, [], 10n));
const fields = mostly(
  fc.array(fc.tuple(fieldKey, fieldValue), { maxLength: 4 }).map((kv) => {
    const o: Record<string, unknown> = {};
    for (const [k, v] of kv) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
    return o;
  }),
  oneOf(null, [], 'x', Object.create(null)),
);
const message = mostly(oneOf('', 'GET /healthz 200', sized(LOG_LIMITS.messageBytes + 64)), oneOf(sized(LOG_LIMITS.messageBytes + 65), 5));

const record = fc
  .record({
    id,
    ts,
    cluster: clusterName,
    namespace: name,
    pod: name,
    container: name,
    node: name,
    stream: mostly(oneOf('stdout', 'stderr'), oneOf('STDOUT', 1)),
    level: mostly(oneOf(...LOG_LEVELS), oneOf('warning', '')),
    message,
    fields,
  })
  .chain((r) =>
    fc.oneof(
      { weight: 30, arbitrary: fc.constant<Record<string, unknown>>(r) },
      fc.constantFrom(...Object.keys(r)).map((k) => Object.fromEntries(Object.entries(r).filter(([key]) => key !== k))),
      fc.constant({ ...r, extra: 1 }),
      fc.constant({ ...r, cursor: 'c1' }),
    ),
  );

const batch = fc
  .record({
    cluster: clusterName,
    batchId: mostly(oneOf('12345678', sized(64)), oneOf('1234567', sized(65), 1)),
    sentAt: mostly(oneOf('2026-12-01T10:00:00.000Z', sized(40)), oneOf(sized(41), null)),
    records: mostly(fc.array(record, { maxLength: 3 }), oneOf('x', null, {})),
    drops: mostly(oneOf(undefined, []), oneOf([makeDrop()], [{ ...makeDrop(), lines: -1 }], 'x', null)),
  })
  .chain((b) => {
    const { drops, ...rest } = b;
    const base: Record<string, unknown> = drops === undefined ? rest : b;
    return fc.oneof({ weight: 30, arbitrary: fc.constant(base) }, fc.constant({ ...base, extra: true }), fc.constantFrom(...Object.keys(base)).map((k) => Object.fromEntries(Object.entries(base).filter(([key]) => key !== k))));
  });

function sameAsZod(payload: unknown): void {
  const zod = LogBatchSchema.safeParse(payload);
  const fast = fastLogBatch(payload);
  if (fast !== undefined) {
    expect(zod.success).toBe(true);
    expect(fast).toStrictEqual(zod.data);
  }
  const both = parseLogBatch(payload);
  expect(both.success).toBe(zod.success);
  if (both.success) expect(both.data).toStrictEqual(zod.data);
  else expect(both.error?.issues).toEqual(zod.error?.issues);
}

/** What the daemon really gets: the payload after JSON (undefined keys gone, NaN and Infinity as null). */
const viaJson = (payload: unknown): unknown => JSON.parse(JSON.stringify(payload, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));

describe('fastLogBatch', () => {
  it('accepts only what LogBatchSchema accepts, with the value zod builds', () => {
    fc.assert(
      fc.property(batch, (payload) => {
        sameAsZod(payload);
        sameAsZod(viaJson(payload));
      }),
      { numRuns: 600 },
    );
  }, 60_000);

  it('has a generator that exercises both paths: batches the fast check takes, and valid batches it leaves to zod', () => {
    // A fixed seed, so that how often each path is drawn is a fact about the generator, not luck.
    let fastTaken = 0;
    let leftToZod = 0;
    for (const payload of fc.sample(batch, { numRuns: 600, seed: 20261202 })) {
      for (const p of [payload, viaJson(payload)]) {
        if (fastLogBatch(p) !== undefined) fastTaken++;
        else if (LogBatchSchema.safeParse(p).success) leftToZod++;
      }
    }
    expect(fastTaken).toBeGreaterThan(100);
    expect(leftToZod).toBeGreaterThan(10);
  });

  it('takes the agent’s batches itself, and leaves batches with drops to zod', () => {
    const records = makeLines('alpha', 0, 50, { fields: { user_id: 42, 'http.status': '200', ok: true, none: null } });
    const shipped = JSON.parse(JSON.stringify(makeBatch('alpha', records))) as unknown;
    expect(fastLogBatch(shipped)).toStrictEqual(LogBatchSchema.parse(shipped));
    const withoutDrops = JSON.parse(JSON.stringify({ ...makeBatch('alpha', records), drops: undefined })) as unknown;
    expect(fastLogBatch(withoutDrops)).toStrictEqual(LogBatchSchema.parse(withoutDrops));
    expect(fastLogBatch(JSON.parse(JSON.stringify(makeBatch('alpha', records, [makeDrop()]))))).toBeUndefined();
  });

  it('leaves a batch over the record limit to zod, which refuses it', () => {
    const records = makeLines('alpha', 0, 1);
    const over = { ...makeBatch('alpha', []), records: Array.from({ length: LOG_LIMITS.batchRecords + 1 }, () => records[0]) };
    expect(fastLogBatch(over)).toBeUndefined();
    expect(parseLogBatch(over).success).toBe(false);
  });
});
