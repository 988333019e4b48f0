// One raw amqplib client of the RabbitMQ chain benchmark (test/bench/rabbit-raw.ts), in a process of
// its own so the publisher and the consumer each have a thread and their CPU is sampled apart:
// - publisher: reads the bodies file, connects to the edge, and on `go` publishes `messages` of them
//   in turn to the edge exchange: with confirms on a confirm channel with at most `window`
//   unconfirmed (a nack is sent again after 100 ms, as the agent holds a refused batch), or on a
//   plain channel; persistent either way, as the agent publishes, waiting for 'drain' when the
//   socket's buffer is full.
// - consumer: consumes the central ingest queue, with manual acks under basic.qos(prefetch) and one
//   multiple-ack per batch collected as the daemon's consumer collects (half the prefetch, 16 MiB or
//   50 ms after the first), or with noAck; it keeps (time, records so far) per delivery and answers
//   them when every message is in, or on `stop`.
// Times are epoch milliseconds (performance.timeOrigin + performance.now()), comparable across processes.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import amqp, { type Channel, type ConsumeMessage } from 'amqplib';
import { LOG_CHAIN } from '../../core/brokers/topology.js';

export type RawClientInit =
  | { role: 'publisher'; url: string; confirms: boolean; bodiesFile: string; messages: number; window: number; cluster: string }
  | { role: 'consumer'; url: string; manualAcks: boolean; messages: number; prefetch: number; records: number[] };

export type RawClientReply =
  | { op: 'ready' }
  | { op: 'published'; nacks: number; at: number }
  | { op: 'consumed'; received: number; samples: [number, number][] }
  | { op: 'error'; message: string };

const BATCH_BYTES = 16 * 1024 * 1024;
const LINGER_MS = 50;
const epochMs = () => performance.timeOrigin + performance.now();

/** Bodies as `u32 length, bytes` one after another. */
export function encodeBodies(bodies: Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const b of bodies) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    parts.push(len, b);
  }
  return Buffer.concat(parts);
}

function decodeBodies(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < buf.length; ) {
    const len = buf.readUInt32BE(at);
    out.push(buf.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  return out;
}

const send = (r: RawClientReply) => new Promise<void>((resolve) => (process.send ? process.send(r, undefined, {}, () => resolve()) : resolve()));

async function publisher(o: Extract<RawClientInit, { role: 'publisher' }>): Promise<void> {
  const bodies = decodeBodies(readFileSync(o.bodiesFile));
  const conn = await amqp.connect(o.url);
  const props = (k: number) => ({ persistent: true, contentType: 'application/json', messageId: `raw-${k}`, timestamp: Math.floor(Date.now() / 1000) });
  const body = (k: number) => bodies[k % bodies.length]!;
  const go = new Promise<void>((resolve) =>
    process.on('message', (m: { op: string }) => {
      if (m.op === 'go') resolve();
    }),
  );
  let nacks = 0;
  let ch: Channel;
  if (o.confirms) {
    const cch = await conn.createConfirmChannel();
    ch = cch;
    await send({ op: 'ready' });
    await go;
    let inflight = 0;
    let confirmed = 0;
    let next = 0;
    const retry: number[] = [];
    let wake: (() => void) | undefined;
    const poke = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    while (confirmed < o.messages) {
      if (inflight >= o.window || (retry.length === 0 && next >= o.messages)) {
        await new Promise<void>((r) => (wake = r));
        continue;
      }
      const k = retry.shift() ?? next++;
      inflight += 1;
      const fits = cch.publish(LOG_CHAIN.edgeExchange, o.cluster, body(k), props(k), (err) => {
        inflight -= 1;
        if (err) {
          // the outbox at its cap (reject-publish): held and sent again, as the agent does
          nacks += 1;
          setTimeout(() => {
            retry.push(k);
            poke();
          }, 100);
        } else confirmed += 1;
        poke();
      });
      if (!fits) await once(cch, 'drain');
    }
  } else {
    ch = await conn.createChannel();
    await send({ op: 'ready' });
    await go;
    for (let k = 0; k < o.messages; k++) if (!ch.publish(LOG_CHAIN.edgeExchange, o.cluster, body(k), props(k))) await once(ch, 'drain');
  }
  // Closing the channel first: its Close follows its content frames, so the broker has every publish
  // when it answers. A connection closed straight after plain-channel publishes can overtake content
  // still buffered in amqplib and lose it (seen here: 17 of 51 messages arrived).
  await ch.close();
  const at = epochMs();
  await conn.close();
  await send({ op: 'published', nacks, at });
}

async function consumer(o: Extract<RawClientInit, { role: 'consumer' }>): Promise<void> {
  const alo = o.manualAcks;
  const conn = await amqp.connect(o.url);
  const ch = await conn.createChannel();
  if (alo) await ch.prefetch(o.prefetch);
  const samples: [number, number][] = [];
  let received = 0;
  let records = 0;
  let pending: ConsumeMessage[] = [];
  let pendingBytes = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const last = pending[pending.length - 1];
    pending = [];
    pendingBytes = 0;
    if (last) ch.ack(last, true);
  };
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  process.on('message', (m: { op: string }) => {
    if (m.op === 'stop') finish();
  });
  await ch.consume(
    LOG_CHAIN.ingestQueue,
    (msg) => {
      if (!msg) return;
      const k = Number(/^raw-(\d+)$/.exec(String(msg.properties.messageId))?.[1]);
      received += 1;
      records += Number.isInteger(k) ? (o.records[k % o.records.length] ?? 0) : 0;
      samples.push([epochMs(), records]);
      if (alo) {
        pending.push(msg);
        pendingBytes += msg.content.length;
        if (pending.length >= Math.ceil(o.prefetch / 2) || pendingBytes >= BATCH_BYTES) flush();
        else timer ??= setTimeout(flush, LINGER_MS);
      }
      if (received >= o.messages) finish();
    },
    { noAck: !alo },
  );
  await send({ op: 'ready' });
  await finished;
  if (alo) flush();
  // The channel first, so the last ack reaches the broker before the connection goes.
  await ch.close();
  await conn.close();
  await send({ op: 'consumed', received, samples });
}

if (process.env.FLOTILLA_BENCH_RAW_CLIENT === '1' && process.send) {
  process.once('message', (init: RawClientInit) => {
    // Done, the process stays (idle) until the benchmark has read its CPU time and ends it.
    void (init.role === 'publisher' ? publisher(init) : consumer(init)).catch((e: unknown) => send({ op: 'error', message: e instanceof Error ? e.message : String(e) }));
  });
  // The benchmark gone, or done with this client: stop.
  process.on('disconnect', () => process.exit(0));
}
