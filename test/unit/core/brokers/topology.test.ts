import { describe, expect, it } from 'vitest';
import { FlotillaError } from '../../../../core/errors.js';
import { centralTopology, clusterPublisher, clusterUserName, DEFAULT_OUTBOX_MAX_BYTES, edgeTopology, LOG_CHAIN, NOTHING, shovelDefinition } from '../../../../core/brokers/topology.js';

/** How RabbitMQ applies a permission regex: an unanchored search of the resource name. */
const allows = (regex: string, name: string) => new RegExp(regex).test(name);

describe('log chain topology', () => {
  it('edge: the exchange bound to a durable, byte-capped outbox that refuses publishes when full', () => {
    expect(edgeTopology({ outboxMaxBytes: 1_000_000 })).toEqual({
      exchanges: [{ name: 'flotilla.logs', type: 'fanout', durable: true, autoDelete: false, internal: false, arguments: {} }],
      queues: [{ name: 'flotilla.logs.outbox', durable: true, autoDelete: false, arguments: { 'x-max-length-bytes': 1_000_000, 'x-overflow': 'reject-publish', 'x-queue-mode': 'lazy' } }],
      bindings: [{ source: 'flotilla.logs', destination: 'flotilla.logs.outbox', routingKey: '', arguments: {} }],
    });
    expect(edgeTopology().queues[0]?.arguments['x-max-length-bytes']).toBe(DEFAULT_OUTBOX_MAX_BYTES);
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => edgeTopology({ outboxMaxBytes: bad })).toThrow(FlotillaError);
  });

  it('central: ingest exchange and queue, and a dead-letter exchange and queue the ingest queue dead-letters to', () => {
    const t = centralTopology();
    expect(t.exchanges.map((e) => [e.name, e.type, e.durable])).toEqual([
      ['flotilla.logs.ingest', 'fanout', true],
      ['flotilla.logs.dead', 'fanout', true],
    ]);
    expect(t.queues).toEqual([
      { name: 'flotilla.logs.ingest', durable: true, autoDelete: false, arguments: { 'x-dead-letter-exchange': 'flotilla.logs.dead' } },
      { name: 'flotilla.logs.dead', durable: true, autoDelete: false, arguments: {} },
    ]);
    expect(t.bindings.map((b) => [b.source, b.destination])).toEqual([
      ['flotilla.logs.ingest', 'flotilla.logs.ingest'],
      ['flotilla.logs.dead', 'flotilla.logs.dead'],
    ]);
  });

  it('the cluster user may write only to the ingest exchange and configure or read nothing', () => {
    const u = clusterPublisher('prod-eu-1');
    expect(u.name).toBe('flotilla-cluster-prod-eu-1');
    expect(u.tags).toEqual([]);
    const { configure, write, read } = u.permissions;
    expect(configure).toBe(NOTHING);
    expect(read).toBe(NOTHING);
    expect(allows(write, LOG_CHAIN.ingestExchange)).toBe(true);
    const others = ['flotilla.logs.dead', 'flotilla.logs', 'flotilla.logs.ingest.x', 'xflotilla.logs.ingest', 'flotillaXlogsXingest', 'amq.default', 'amq.direct', 'amq.gen-abc', 'amq.fanout'];
    for (const name of others) expect(allows(write, name), name).toBe(false);
    for (const name of [...others, LOG_CHAIN.ingestExchange, LOG_CHAIN.ingestQueue]) {
      expect(allows(configure, name), name).toBe(false);
      expect(allows(read, name), name).toBe(false);
    }
    expect(() => clusterUserName('Prod')).toThrow(FlotillaError);
  });

  it('the shovel: outbox to the ingest exchange as the cluster user, on-confirm, with prefetch, reconnect delay and heartbeat', () => {
    const s = shovelDefinition({ cluster: 'c1', centralUrl: 'amqps://central.example:5671/flotilla', password: 'p@ss/word', prefetch: 100, reconnectDelaySeconds: 3 });
    expect(s.name).toBe('flotilla-logs-to-central');
    expect(s.vhost).toBe('/');
    expect(s.value).toEqual({
      'src-protocol': 'amqp091',
      'src-uri': 'amqp:///%2F',
      'src-queue': 'flotilla.logs.outbox',
      'src-prefetch-count': 100,
      'src-delete-after': 'never',
      'dest-protocol': 'amqp091',
      'dest-uri': 'amqps://flotilla-cluster-c1:p%40ss%2Fword@central.example:5671/flotilla?heartbeat=10',
      'dest-exchange': 'flotilla.logs.ingest',
      'dest-publish-properties': { user_id: 'flotilla-cluster-c1', delivery_mode: 2 },
      'ack-mode': 'on-confirm',
      'reconnect-delay': 3,
    });
    const onVhost = shovelDefinition({ cluster: 'c1', centralUrl: 'amqp://central:5672?heartbeat=30', password: 'x', edgeVhost: 'edge-a' });
    expect(onVhost.vhost).toBe('edge-a');
    expect(onVhost.value['src-uri']).toBe('amqp:///edge-a');
    expect(onVhost.value['dest-uri']).toBe('amqp://flotilla-cluster-c1:x@central:5672?heartbeat=30');
    expect(onVhost.value['src-prefetch-count']).toBeGreaterThan(0);
  });

  it('refuses a central URL that is no AMQP URL or already carries credentials', () => {
    for (const centralUrl of ['central:5672', 'http://central:15672', 'amqp://admin:pw@central:5672'])
      expect(() => shovelDefinition({ cluster: 'c1', centralUrl, password: 'x' })).toThrow(FlotillaError);
    expect(() => shovelDefinition({ cluster: 'c1', centralUrl: 'amqp://c', password: 'x', prefetch: 0 })).toThrow(FlotillaError);
  });
});
