// The management API adapter (core/brokers/rabbitmq-management.ts) against a real RabbitMQ 3.10 node:
// each call does what the chain relies on, and each failure is the FlotillaError the taxonomy names.
import amqp from 'amqplib';
import { afterAll, describe, expect, it } from 'vitest';
import { rabbitManagement, type RabbitManagement } from '../../../core/brokers/rabbitmq-management.js';
import type { ShovelValue } from '../../../core/brokers/topology.js';
import { FlotillaError } from '../../../core/errors.js';
import { waitUntil } from '../../harness/proc.js';
import { useRabbitNodes } from '../../harness/rabbitmq.js';
import { cleanupTempDirs } from '../../harness/tmp.js';

const rabbit = useRabbitNodes(['mgmt']);
afterAll(() => cleanupTempDirs());

const m = (): RabbitManagement => rabbit.management('mgmt');
const node = () => rabbit.nodes.mgmt;

async function failure(p: Promise<unknown>): Promise<FlotillaError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof FlotillaError)) throw new Error(`expected a FlotillaError, got ${String(e)}`);
  return e;
}

/** An AMQP login: refused credentials end the handshake with 403, a user without access to the vhost is closed at connection.open. */
async function login(username: string, password: string, vhost = '/'): Promise<'ok' | 'bad credentials' | 'no access to the vhost'> {
  try {
    const conn = await amqp.connect(node().amqpUrl({ username, password }, vhost));
    await conn.close();
    return 'ok';
  } catch (e) {
    if (/ACCESS.REFUSED|403/.test(String(e))) return 'bad credentials';
    if (/Expected ConnectionOpenOk; got <ConnectionClose/.test(String(e))) return 'no access to the vhost';
    throw e;
  }
}

describe('RabbitMQ management adapter', () => {
  it('reads the overview', async () => {
    expect(await m().overview()).toEqual({ rabbitmqVersion: '3.10.8', node: node().nodeName });
  });

  it('creates vhosts idempotently and deletes them; a missing vhost is not_found', async () => {
    await m().putVhost('contract-a');
    await m().putVhost('contract-a');
    await m().putQueue('contract-a', { name: 'q', durable: true, autoDelete: false, arguments: {} });
    expect(await m().queueFigures('contract-a', 'q')).not.toBeNull();
    await m().deleteVhost('contract-a');
    await m().deleteVhost('contract-a');
    const e = await failure(m().putQueue('contract-a', { name: 'q', durable: true, autoDelete: false, arguments: {} }));
    expect(e.kind).toBe('not_found');
    expect(e.details).toMatchObject({ status: 404, op: 'declare queue q in vhost contract-a' });
  });

  it('creates a user, replaces its password, deletes it; permissions are set and read back', async () => {
    await m().putUser('contract-user', 'first', []);
    expect(await m().getPermissions('/', 'contract-user')).toBeNull();
    expect(await login('contract-user', 'first')).toBe('no access to the vhost');
    const perms = { configure: '^contract\\.', write: '^contract\\.', read: '^$' };
    await m().setPermissions('/', 'contract-user', perms);
    expect(await m().getPermissions('/', 'contract-user')).toEqual(perms);
    expect(await login('contract-user', 'first')).toBe('ok');
    await m().putUser('contract-user', 'second', []);
    expect(await login('contract-user', 'first')).toBe('bad credentials');
    expect(await login('contract-user', 'second')).toBe('ok');
    expect(await m().getPermissions('/', 'contract-user')).toEqual(perms);
    await m().deleteUser('contract-user');
    await m().deleteUser('contract-user');
    expect(await login('contract-user', 'second')).toBe('bad credentials');
  });

  it('declares exchanges and queues with arguments idempotently; other properties are a conflict', async () => {
    const x = { name: 'contract.x', type: 'fanout' as const, durable: true, autoDelete: false, internal: false, arguments: {} };
    await m().putExchange('/', x);
    await m().putExchange('/', x);
    const ex = await failure(m().putExchange('/', { ...x, type: 'direct' }));
    expect(ex.kind).toBe('conflict');

    const q = { name: 'contract.q', durable: true, autoDelete: false, arguments: { 'x-max-length-bytes': 4096, 'x-overflow': 'reject-publish' } };
    await m().putQueue('/', q);
    await m().putQueue('/', q);
    expect((await m().queueFigures('/', q.name))?.arguments).toEqual(q.arguments);
    const qe = await failure(m().putQueue('/', { ...q, arguments: { ...q.arguments, 'x-max-length-bytes': 8192 } }));
    expect(qe.kind).toBe('conflict');
    expect(qe.exitCode).toBe(64);
    expect(qe.message).toContain('x-max-length-bytes');

    await m().putBinding('/', { source: x.name, destination: q.name, routingKey: 'k', arguments: {} });
    await m().putBinding('/', { source: x.name, destination: q.name, routingKey: 'k', arguments: {} });
    expect(await m().listBindings('/', x.name, q.name)).toEqual([{ routingKey: 'k', arguments: {} }]);

    await m().deleteQueue('/', q.name);
    await m().deleteQueue('/', q.name);
    expect(await m().queueFigures('/', q.name)).toBeNull();
  });

  it("reports a queue's messages, ready and unacknowledged, bytes and consumers", async () => {
    await m().putQueue('/', { name: 'contract.figures', durable: true, autoDelete: false, arguments: {} });
    const conn = await amqp.connect(node().amqpUrl());
    try {
      const pub = await conn.createConfirmChannel();
      for (const body of ['a', 'bb', 'ccc']) pub.sendToQueue('contract.figures', Buffer.from(body), { persistent: true });
      await pub.waitForConfirms();
      const sub = await conn.createChannel();
      await sub.prefetch(1);
      await sub.consume('contract.figures', () => undefined, { noAck: false });
      const figures = await waitUntil(
        async () => {
          const f = await m().queueFigures('/', 'contract.figures');
          return f?.consumers === 1 && f.messagesUnacknowledged === 1 ? f : undefined;
        },
        { what: 'the figures to show the consumer' },
      );
      expect(figures).toMatchObject({ messages: 3, messagesReady: 2, messagesUnacknowledged: 1, bytes: 6, consumers: 1 });
    } finally {
      await conn.close();
    }
  });

  it('sets a dynamic shovel, reports it running, moves messages, and removes it', async () => {
    await m().putQueue('/', { name: 'contract.shovel.src', durable: true, autoDelete: false, arguments: {} });
    await m().putExchange('/', { name: 'contract.shovel.x', type: 'fanout', durable: true, autoDelete: false, internal: false, arguments: {} });
    await m().putQueue('/', { name: 'contract.shovel.dest', durable: true, autoDelete: false, arguments: {} });
    await m().putBinding('/', { source: 'contract.shovel.x', destination: 'contract.shovel.dest', routingKey: '', arguments: {} });
    const value: ShovelValue = {
      'src-protocol': 'amqp091',
      'src-uri': 'amqp:///%2F',
      'src-queue': 'contract.shovel.src',
      'src-prefetch-count': 10,
      'src-delete-after': 'never',
      'dest-protocol': 'amqp091',
      'dest-uri': 'amqp:///%2F',
      'dest-exchange': 'contract.shovel.x',
      'dest-publish-properties': {},
      'ack-mode': 'on-confirm',
      'reconnect-delay': 1,
    };
    await m().putShovel('/', 'contract-shovel', value);
    await m().putShovel('/', 'contract-shovel', value);
    const running = await waitUntil(async () => (await m().shovelStatus('/')).find((s) => s.name === 'contract-shovel' && s.state === 'running'), { what: 'the shovel to run' });
    expect(running).toMatchObject({ vhost: '/', type: 'dynamic', node: node().nodeName });
    expect((await m().shovelStatus()).map((s) => s.name)).toContain('contract-shovel');

    const conn = await amqp.connect(node().amqpUrl());
    try {
      const ch = await conn.createConfirmChannel();
      for (let i = 0; i < 5; i++) ch.sendToQueue('contract.shovel.src', Buffer.from(`m${i}`), { persistent: true });
      await ch.waitForConfirms();
    } finally {
      await conn.close();
    }
    await waitUntil(async () => (await m().queueFigures('/', 'contract.shovel.dest'))?.messages === 5, { what: 'the shovel to move the messages' });
    expect((await m().queueFigures('/', 'contract.shovel.src'))?.messages).toBe(0);

    await m().deleteShovel('/', 'contract-shovel');
    await m().deleteShovel('/', 'contract-shovel');
    await waitUntil(async () => !(await m().shovelStatus('/')).some((s) => s.name === 'contract-shovel'), { what: 'the shovel to go' });
  });

  it('refuses a shovel definition the broker cannot use as usage', async () => {
    const e = await failure(m().putShovel('/', 'broken', { 'src-uri': 'not a uri' } as unknown as ShovelValue));
    expect(e.kind).toBe('usage');
    expect(e.details).toMatchObject({ status: 400 });
  });

  it('maps wrong credentials, a user without the management tag and an unreachable broker to the taxonomy', async () => {
    const wrong = await failure(rabbitManagement({ url: node().managementUrl, username: node().admin.username, password: 'wrong' }).overview());
    expect(wrong.kind).toBe('unauthenticated');
    expect(wrong.exitCode).toBe(77);

    await m().putUser('contract-plain', 'pw', []);
    const plain = await failure(rabbitManagement({ url: node().managementUrl, username: 'contract-plain', password: 'pw' }).overview());
    expect(plain.kind).toBe('unauthenticated');
    expect(plain.next).toContain('administrator');
    await m().deleteUser('contract-plain');

    const gone = await failure(rabbitManagement({ url: 'http://127.0.0.1:1', username: 'x', password: 'y' }).overview());
    expect(gone.kind).toBe('unavailable');
    expect(gone.exitCode).toBe(69);
    expect(gone.message).toContain('did not answer');
  });
});
