// The RabbitMQ node launcher against Debian's rabbitmq-server: a private node with its own name,
// ports, epmd and data dir; durable queues through a crash; a clean stop that leaves no process.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { promisify } from 'node:util';
import amqp from 'amqplib';
import { afterAll, describe, expect, it } from 'vitest';
import { rabbitManagement } from '../../../core/brokers/rabbitmq-management.js';
import { FlotillaError } from '../../../core/errors.js';
import { nodeProcesses, openRabbitNode, startRabbitNode, type RabbitNode } from '../../../daemon/brokers/rabbitmq-node.js';
import { waitUntil } from '../../harness/proc.js';
import { RABBIT_HOOK_TIMEOUT_MS, useRabbitNodes } from '../../harness/rabbitmq.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';

const run = promisify(execFile);
const rabbit = useRabbitNodes(['solo']);
afterAll(() => cleanupTempDirs());

const mgmt = (n: RabbitNode) => rabbitManagement({ url: n.managementUrl, ...n.admin });

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers kill(0) until its parent reaps it; it runs nothing.
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

function reaches(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function epmdNames(port: number): Promise<string> {
  const { stdout } = await run('epmd', ['-port', String(port), '-names']);
  return stdout;
}

async function publishPersistent(n: RabbitNode, queue: string, bodies: string[]): Promise<void> {
  const conn = await amqp.connect(n.amqpUrl());
  try {
    const ch = await conn.createConfirmChannel();
    for (const b of bodies) ch.sendToQueue(queue, Buffer.from(b), { persistent: true });
    await ch.waitForConfirms();
  } finally {
    await conn.close();
  }
}

async function drain(n: RabbitNode, queue: string): Promise<string[]> {
  const conn = await amqp.connect(n.amqpUrl());
  try {
    const ch = await conn.createChannel();
    const out: string[] = [];
    for (;;) {
      const m = await ch.get(queue, { noAck: true });
      if (!m) return out;
      out.push(m.content.toString());
    }
  } finally {
    await conn.close();
  }
}

describe('RabbitMQ node launcher', () => {
  it('refuses to start when rabbitmq-server is not installed, with exit 69 and the Debian package to install', async () => {
    const e = await openRabbitNode({ name: 'missing', dataDir: tempDir('flotilla-rabbit-missing-'), serverPath: '/nonexistent/rabbitmq-server' }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(FlotillaError);
    const err = e as FlotillaError;
    expect(err.kind).toBe('unavailable');
    expect(err.exitCode).toBe(69);
    expect(err.message).toContain('/nonexistent/rabbitmq-server');
    expect(err.next).toContain('apt-get install rabbitmq-server');
  });

  it('reports a server that exits at once or cannot be run as unavailable, and close() leaves no epmd behind', async () => {
    for (const serverPath of ['/bin/false', '/etc/hostname']) {
      const node = await openRabbitNode({ name: 'broken', dataDir: tempDir('flotilla-rabbit-broken-'), serverPath });
      const e = await node.start().catch((err: unknown) => err);
      expect(e, serverPath).toBeInstanceOf(FlotillaError);
      expect((e as FlotillaError).kind).toBe('unavailable');
      expect((e as FlotillaError).message).toContain('exited during start-up');
      expect(node.running()).toBe(false);
      const epmd = node.epmdPid;
      expect(alive(epmd)).toBe(true);
      await node.close();
      expect(alive(epmd)).toBe(false);
      expect(nodeProcesses(node.dataDir)).toEqual([]);
    }
  });

  it('runs as its own Erlang node, registered only in its own epmd, listening on loopback', async () => {
    const node = rabbit.nodes.solo;
    expect(node.nodeName).toBe('flotilla-solo@localhost');
    expect(await mgmt(node).overview()).toEqual({ rabbitmqVersion: '3.10.8', node: node.nodeName });
    const names = await epmdNames(node.ports.epmd);
    expect(names).toContain(`name flotilla-solo at port ${node.ports.dist}`);
    expect(names.match(/^name /gm)).toHaveLength(1);
    // A host-wide epmd on 4369, if there is one, never hears of it.
    const hostWide = await run('epmd', ['-names']).then((r) => r.stdout, () => '');
    expect(hostWide).not.toContain('flotilla-solo');
    // Reached on loopback, refused on any other address of the host.
    const ports = [node.ports.amqp, node.ports.management, node.ports.dist];
    for (const port of ports) expect(await reaches('127.0.0.1', port)).toBe(true);
    const external = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    if (external) for (const port of ports) expect(await reaches(external, port)).toBe(false);
  });

  it('keeps a durable queue and its persistent messages through a SIGKILL and a restart on the same data dir', async () => {
    const node = rabbit.nodes.solo;
    const m = mgmt(node);
    await m.putQueue('/', { name: 'survivor', durable: true, autoDelete: false, arguments: {} });
    // RabbitMQ 3.10 keeps queue definitions in Mnesia, whose log may reach the disk only a moment
    // after the declare returns: in CI a node SIGKILLed right after the declare came back without the
    // queue for 20 s and more. A clean restart writes the definition out; then what is under test,
    // persistent messages the broker confirmed, goes through the SIGKILL. (The agent declares its
    // outbox long before any kill.)
    await node.stop();
    await node.start();
    await publishPersistent(node, 'survivor', ['one', 'two', 'three']);
    const pid = node.pid;
    const epmd = node.epmdPid;
    await node.kill();
    expect(alive(pid)).toBe(false);
    expect(nodeProcesses(node.dataDir)).toEqual([]);
    expect(alive(epmd)).toBe(true);
    await node.start();
    expect(node.pid).not.toBe(pid);
    expect(node.epmdPid).toBe(epmd);
    // Counted over AMQP, not by the management figures, which an idle recovered queue reports only at
    // its next stats emission.
    await waitUntil(async () => (await m.queueFigures('/', 'survivor')) !== null, { what: 'the restarted node to know the queue' });
    expect(await drain(node, 'survivor')).toEqual(['one', 'two', 'three']);
  }, RABBIT_HOOK_TIMEOUT_MS);

  it('stops cleanly, leaves no process behind, and is the same node when opened again on its directory', async () => {
    const node = rabbit.nodes.solo;
    await mgmt(node).putQueue('/', { name: 'kept', durable: true, autoDelete: false, arguments: { 'x-max-length-bytes': 1000 } });
    await publishPersistent(node, 'kept', ['after a clean stop']);
    const pids = [node.pid, node.epmdPid];
    await node.close();
    for (const pid of pids) expect(alive(pid)).toBe(false);
    expect(nodeProcesses(node.dataDir)).toEqual([]);

    const again = await startRabbitNode({ name: 'solo', dataDir: node.dataDir });
    try {
      expect(again.admin).toEqual(node.admin);
      expect(again.ports).toEqual(node.ports);
      const figures = await waitUntil(async () => {
        const f = await mgmt(again).queueFigures('/', 'kept');
        return f?.messages === 1 ? f : undefined;
      }, { what: 'the reopened node to report the queue' });
      expect(figures.arguments).toEqual({ 'x-max-length-bytes': 1000 });
    } finally {
      await again.close();
    }
    expect(nodeProcesses(node.dataDir)).toEqual([]);
  }, RABBIT_HOOK_TIMEOUT_MS);
});
