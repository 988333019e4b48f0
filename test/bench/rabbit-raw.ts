// Raw broker throughput on the RabbitMQ chain's own brokers, for test/bench/log-rabbit-chain.ts: an
// amqplib publisher process sends real signed batch envelopes (tapped from the agent's own
// publishes) to the edge exchange flotilla.logs, the edge's own shovel (flotilla-logs-to-central,
// through the same TCP proxy process) moves them to the center, and an amqplib consumer process takes
// them off flotilla.logs.ingest (test/bench/raw-client.ts). No Flotilla process is on the path. A
// variant sets the three acknowledgements of the chain one by one:
// - publisher confirms (a confirm channel, a window of unconfirmed publishes) or a plain channel;
// - the shovel's ack-mode: on-confirm (as the product sets it) or no-ack;
// - the consumer's manual acks, one multiple-ack per batch of deliveries collected as the daemon's
//   consumer collects them, with the daemon's prefetch; or noAck.
// At-least-once is all three, fire-and-forget none. Everything else is the same: the bodies, their
// properties (persistent, as the agent publishes), the queues, the nodes, the proxy.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { LOG_CHAIN } from '../../core/brokers/topology.js';
import { cpuSeconds } from './proc-sampler.js';
import { encodeBodies, type RawClientInit, type RawClientReply } from './raw-client.js';

export interface RawBody {
  content: Buffer;
  /** Log records in the batch the envelope carries. */
  records: number;
}

export interface RawVariant {
  name: string;
  confirms: boolean;
  /** Unconfirmed publishes in flight, with confirms. */
  window: number;
  shovelAckMode: 'on-confirm' | 'no-ack';
  manualAcks: boolean;
}

export interface RawRunResult {
  variant: RawVariant;
  round: number;
  messages: number;
  /** Messages the consumer received (messages when nothing was lost). */
  received: number;
  records: number;
  mib: number;
  /** Records per second from 10 % to 90 % of them consumed, as for the chain. */
  linesPerSecond: number;
  /** First publish → last delivery. */
  seconds: number;
  mibPerSecond: number;
  /** Publishes the edge refused (nack) and that were sent again; 0 expected. */
  nacks: number;
  cores: { edge: number; central: number; proxy: number; publisher: number; consumer: number };
  load: { start: number[]; end: number[] };
}

export interface RawRunOptions {
  variant: RawVariant;
  round: number;
  bodies: RawBody[];
  /** Written once by writeBodies(). */
  bodiesFile: string;
  messages: number;
  edgeUrl: string;
  centralUrl: string;
  /** The routing key the agent publishes with (its cluster). */
  cluster: string;
  /** basic.qos of a consumer with manual acks: the daemon's logs.rabbitmq.prefetch. */
  prefetch: number;
  pids: { edge: number; central: number; proxy: number };
  timeoutMs: number;
}

const load = () => loadavg().map((x) => Math.round(x * 100) / 100);
const epochMs = () => performance.timeOrigin + performance.now();

/** The time the counter passed `target`, interpolated between the samples around it. */
export function crossing(samples: { t: number; n: number }[], target: number): number {
  const i = samples.findIndex((s) => s.n >= target);
  if (i <= 0) return samples[Math.max(0, i)]!.t;
  const a = samples[i - 1]!;
  const b = samples[i]!;
  return a.t + ((target - a.n) / (b.n - a.n)) * (b.t - a.t);
}

export function writeBodies(file: string, bodies: RawBody[]): void {
  writeFileSync(file, encodeBodies(bodies.map((b) => b.content)));
}

interface Client {
  child: ChildProcess;
  next(op: RawClientReply['op']): Promise<RawClientReply>;
  send(m: unknown): void;
  kill(): void;
}

function startClient(init: RawClientInit): Client {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(new URL('./raw-client.ts', import.meta.url))], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, FLOTILLA_BENCH_RAW_CLIENT: '1' } });
  const inbox: RawClientReply[] = [];
  let waiter: (() => void) | undefined;
  let exited = false;
  child.on('message', (m: RawClientReply) => {
    inbox.push(m);
    waiter?.();
  });
  child.once('exit', () => {
    exited = true;
    waiter?.();
  });
  child.send(init);
  return {
    child,
    async next(op) {
      for (;;) {
        const i = inbox.findIndex((m) => m.op === op || m.op === 'error');
        if (i >= 0) {
          const [m] = inbox.splice(i, 1) as [RawClientReply];
          if (m.op === 'error') throw new Error(`raw ${init.role}: ${m.message}`);
          return m;
        }
        if (exited) throw new Error(`raw ${init.role} exited before '${op}'`);
        await new Promise<void>((r) => (waiter = r));
        waiter = undefined;
      }
    },
    send(m) {
      if (child.connected) child.send(m as object);
    },
    kill() {
      if (child.connected) child.disconnect();
      if (child.exitCode === null && child.signalCode === null) setTimeout(() => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'), 2000).unref();
    },
  };
}

export async function rawRun(o: RawRunOptions): Promise<RawRunResult> {
  let total = 0;
  let bytes = 0;
  for (let k = 0; k < o.messages; k++) {
    total += o.bodies[k % o.bodies.length]!.records;
    bytes += o.bodies[k % o.bodies.length]!.content.length;
  }
  const consumer = startClient({ role: 'consumer', url: o.centralUrl, manualAcks: o.variant.manualAcks, messages: o.messages, prefetch: o.prefetch, records: o.bodies.map((b) => b.records) });
  const publisher = startClient({ role: 'publisher', url: o.edgeUrl, confirms: o.variant.confirms, bodiesFile: o.bodiesFile, messages: o.messages, window: o.variant.window, cluster: o.cluster });
  try {
    await consumer.next('ready');
    await publisher.next('ready');
    const pids = { ...o.pids, publisher: publisher.child.pid!, consumer: consumer.child.pid! };
    const cpu0 = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)])) as Record<keyof typeof pids, number>;
    const loadStart = load();
    const t0 = epochMs();
    publisher.send({ op: 'go' });
    const published = publisher.next('published') as Promise<Extract<RawClientReply, { op: 'published' }>>;
    published.catch(() => undefined);
    const timer = setTimeout(() => consumer.send({ op: 'stop' }), o.timeoutMs);
    const consumed = (await consumer.next('consumed')) as Extract<RawClientReply, { op: 'consumed' }>;
    clearTimeout(timer);
    const wall = (epochMs() - t0) / 1000;
    const cores = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, (cpuSeconds(pid) - cpu0[k as keyof typeof pids]) / wall])) as RawRunResult['cores'];
    const { nacks } = consumed.received >= o.messages ? await published : { nacks: NaN };
    const samples = [{ t: 0, n: 0 }, ...consumed.samples.map(([at, n]) => ({ t: (at - t0) / 1000, n }))];
    const last = samples[samples.length - 1]!;
    const complete = consumed.received >= o.messages;
    const seconds = complete ? last.t : wall;
    return {
      variant: o.variant,
      round: o.round,
      messages: o.messages,
      received: consumed.received,
      records: total,
      mib: bytes / 2 ** 20,
      linesPerSecond: complete ? Math.round((0.8 * total) / (crossing(samples, 0.9 * total) - crossing(samples, 0.1 * total))) : Math.round(last.n / seconds),
      seconds,
      mibPerSecond: bytes / 2 ** 20 / seconds,
      nacks,
      cores,
      load: { start: loadStart, end: load() },
    };
  } finally {
    publisher.kill();
    consumer.kill();
  }
}

/** Empties both queues (after a run that did not get every message through), so the next starts clean. */
export async function purgeChain(edgeUrl: string, centralUrl: string): Promise<number> {
  let purged = 0;
  for (const [url, queue] of [[edgeUrl, LOG_CHAIN.outbox], [centralUrl, LOG_CHAIN.ingestQueue]] as const) {
    const conn = await amqp.connect(url);
    try {
      const ch = await conn.createChannel();
      purged += (await ch.purgeQueue(queue)).messageCount;
    } finally {
      await conn.close().catch(() => undefined);
    }
  }
  return purged;
}
