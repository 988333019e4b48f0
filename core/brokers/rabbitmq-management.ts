// A narrow adapter over RabbitMQ's management HTTP API: what the log chain sets up on a broker
// (vhosts, users, permissions, exchanges, queues, bindings, dynamic shovels) and what it reads back
// (queue figures, shovel status). The daemon manages the central broker with it, the agent its edge
// broker. Every failure is one FlotillaError (core/brokers/management-errors.ts).
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { managementError } from './management-errors.js';
import type { ArgumentValue, BindingSpec, ExchangeSpec, Permissions, QueueSpec, ShovelValue } from './topology.js';

export interface ManagementEndpoint {
  /** e.g. http://127.0.0.1:15672 */
  url: string;
  username: string;
  password: string;
  /** Per request; the default suits a broker on the same network. */
  timeoutMs?: number;
  /** PEM CA bundle to trust for an https:// URL signed by a private CA (the config's caFile). */
  ca?: Buffer;
}

/** A queue's figures as the broker last sampled them (every collect_statistics_interval); null until it has. */
export interface QueueFigures {
  messages: number | null;
  messagesReady: number | null;
  messagesUnacknowledged: number | null;
  /** Bytes of message bodies in the queue, ready and unacked. */
  bytes: number | null;
  /** Bytes of the ready messages only: what x-max-length-bytes counts (deliveries a consumer holds unacked do not). */
  bytesReady: number | null;
  consumers: number | null;
  arguments: Record<string, ArgumentValue>;
}

export interface ShovelStatus {
  name: string;
  vhost: string;
  type: 'dynamic' | 'static';
  /** starting, running or terminated. */
  state: string;
  /** Why it is not running, as the broker words it. */
  reason?: string;
  node?: string;
  timestamp?: string;
}

export interface RabbitManagement {
  readonly url: string;
  /** The broker's version and node name; a cheap check that the API answers with these credentials. */
  overview(): Promise<{ rabbitmqVersion: string; node: string }>;
  putVhost(vhost: string): Promise<void>;
  deleteVhost(vhost: string): Promise<void>;
  /** Creates the user or replaces its password and tags. */
  putUser(name: string, password: string, tags: string[]): Promise<void>;
  /** Deleting a user that does not exist is not an error. */
  deleteUser(name: string): Promise<void>;
  setPermissions(vhost: string, user: string, permissions: Permissions): Promise<void>;
  /** null when the user has none on the vhost. */
  getPermissions(vhost: string, user: string): Promise<Permissions | null>;
  /** Declares the exchange; declaring it again as it is changes nothing, with other properties is a conflict. */
  putExchange(vhost: string, exchange: ExchangeSpec): Promise<void>;
  /** Declares the queue; declaring it again as it is changes nothing, with other arguments is a conflict. */
  putQueue(vhost: string, queue: QueueSpec): Promise<void>;
  deleteQueue(vhost: string, name: string): Promise<void>;
  /** Binds a queue to an exchange; the same binding twice is one binding. */
  putBinding(vhost: string, binding: BindingSpec): Promise<void>;
  /** The bindings from an exchange to a queue, by routing key. */
  listBindings(vhost: string, exchange: string, queue: string): Promise<{ routingKey: string; arguments: Record<string, ArgumentValue> }[]>;
  /** null when the queue does not exist. */
  queueFigures(vhost: string, name: string): Promise<QueueFigures | null>;
  /** Sets (creates or replaces) a dynamic shovel. */
  putShovel(vhost: string, name: string, value: ShovelValue): Promise<void>;
  /** Removing a shovel that does not exist is not an error. */
  deleteShovel(vhost: string, name: string): Promise<void>;
  /** Every shovel's status, or those of one vhost. */
  shovelStatus(vhost?: string): Promise<ShovelStatus[]>;
}

const seg = (s: string) => encodeURIComponent(s);

interface Call {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  path: string;
  op: string;
  body?: unknown;
  /** Statuses that are an answer, not a failure (404 for "not there"). */
  accept?: number[];
}

class HttpManagement implements RabbitManagement {
  readonly url: string;
  private readonly auth: string;
  private readonly timeoutMs: number;
  private readonly ca: Buffer | undefined;

  constructor(endpoint: ManagementEndpoint) {
    this.url = endpoint.url.replace(/\/+$/, '');
    this.auth = `Basic ${Buffer.from(`${endpoint.username}:${endpoint.password}`).toString('base64')}`;
    this.timeoutMs = endpoint.timeoutMs ?? 10_000;
    this.ca = endpoint.ca;
  }

  private async call(c: Call): Promise<{ status: number; body: unknown }> {
    let res: { status: number; statusText: string; text: string };
    try {
      res = await send(`${this.url}${c.path}`, {
        method: c.method,
        headers: { authorization: this.auth, ...(c.body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: c.body === undefined ? undefined : JSON.stringify(c.body),
        timeoutMs: this.timeoutMs,
        ca: this.ca,
      });
    } catch (e) {
      throw managementError({ url: this.url, op: c.op, reason: transportReason(e) });
    }
    const text = res.text;
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    if ((res.status >= 200 && res.status < 300) || c.accept?.includes(res.status)) return { status: res.status, body };
    throw managementError({ url: this.url, op: c.op, status: res.status, reason: reasonOf(body, res.statusText) });
  }

  async overview(): Promise<{ rabbitmqVersion: string; node: string }> {
    const { body } = await this.call({ method: 'GET', path: '/api/overview', op: 'read the overview' });
    const o = body as { rabbitmq_version?: string; node?: string };
    return { rabbitmqVersion: o.rabbitmq_version ?? '', node: o.node ?? '' };
  }

  async putVhost(vhost: string): Promise<void> {
    await this.call({ method: 'PUT', path: `/api/vhosts/${seg(vhost)}`, op: `create vhost ${vhost}`, body: {} });
  }

  async deleteVhost(vhost: string): Promise<void> {
    await this.call({ method: 'DELETE', path: `/api/vhosts/${seg(vhost)}`, op: `delete vhost ${vhost}`, accept: [404] });
  }

  async putUser(name: string, password: string, tags: string[]): Promise<void> {
    await this.call({ method: 'PUT', path: `/api/users/${seg(name)}`, op: `set user ${name}`, body: { password, tags: tags.join(',') } });
  }

  async deleteUser(name: string): Promise<void> {
    await this.call({ method: 'DELETE', path: `/api/users/${seg(name)}`, op: `delete user ${name}`, accept: [404] });
  }

  async setPermissions(vhost: string, user: string, p: Permissions): Promise<void> {
    await this.call({ method: 'PUT', path: `/api/permissions/${seg(vhost)}/${seg(user)}`, op: `set permissions of ${user} in vhost ${vhost}`, body: { configure: p.configure, write: p.write, read: p.read } });
  }

  async getPermissions(vhost: string, user: string): Promise<Permissions | null> {
    const { status, body } = await this.call({ method: 'GET', path: `/api/permissions/${seg(vhost)}/${seg(user)}`, op: `read permissions of ${user} in vhost ${vhost}`, accept: [404] });
    if (status === 404) return null;
    const p = body as Permissions;
    return { configure: p.configure, write: p.write, read: p.read };
  }

  async putExchange(vhost: string, e: ExchangeSpec): Promise<void> {
    await this.call({
      method: 'PUT',
      path: `/api/exchanges/${seg(vhost)}/${seg(e.name)}`,
      op: `declare exchange ${e.name} in vhost ${vhost}`,
      body: { type: e.type, durable: e.durable, auto_delete: e.autoDelete, internal: e.internal, arguments: e.arguments },
    });
  }

  async putQueue(vhost: string, q: QueueSpec): Promise<void> {
    await this.call({
      method: 'PUT',
      path: `/api/queues/${seg(vhost)}/${seg(q.name)}`,
      op: `declare queue ${q.name} in vhost ${vhost}`,
      body: { durable: q.durable, auto_delete: q.autoDelete, arguments: q.arguments },
    });
  }

  async deleteQueue(vhost: string, name: string): Promise<void> {
    await this.call({ method: 'DELETE', path: `/api/queues/${seg(vhost)}/${seg(name)}`, op: `delete queue ${name} in vhost ${vhost}`, accept: [404] });
  }

  async putBinding(vhost: string, b: BindingSpec): Promise<void> {
    await this.call({
      method: 'POST',
      path: `/api/bindings/${seg(vhost)}/e/${seg(b.source)}/q/${seg(b.destination)}`,
      op: `bind queue ${b.destination} to exchange ${b.source} in vhost ${vhost}`,
      body: { routing_key: b.routingKey, arguments: b.arguments },
    });
  }

  async listBindings(vhost: string, exchange: string, queue: string): Promise<{ routingKey: string; arguments: Record<string, ArgumentValue> }[]> {
    const { body } = await this.call({ method: 'GET', path: `/api/bindings/${seg(vhost)}/e/${seg(exchange)}/q/${seg(queue)}`, op: `list bindings of queue ${queue} to exchange ${exchange} in vhost ${vhost}` });
    return (body as { routing_key: string; arguments: Record<string, ArgumentValue> }[]).map((b) => ({ routingKey: b.routing_key, arguments: b.arguments }));
  }

  async queueFigures(vhost: string, name: string): Promise<QueueFigures | null> {
    const { status, body } = await this.call({ method: 'GET', path: `/api/queues/${seg(vhost)}/${seg(name)}`, op: `read queue ${name} in vhost ${vhost}`, accept: [404] });
    if (status === 404) return null;
    const q = body as Record<string, unknown>;
    const n = (k: string) => (typeof q[k] === 'number' ? q[k] : null);
    return {
      messages: n('messages'),
      messagesReady: n('messages_ready'),
      messagesUnacknowledged: n('messages_unacknowledged'),
      bytes: n('message_bytes'),
      bytesReady: n('message_bytes_ready'),
      consumers: n('consumers'),
      arguments: (q.arguments as Record<string, ArgumentValue> | undefined) ?? {},
    };
  }

  async putShovel(vhost: string, name: string, value: ShovelValue): Promise<void> {
    await this.call({ method: 'PUT', path: `/api/parameters/shovel/${seg(vhost)}/${seg(name)}`, op: `set shovel ${name} in vhost ${vhost}`, body: { value } });
  }

  async deleteShovel(vhost: string, name: string): Promise<void> {
    await this.call({ method: 'DELETE', path: `/api/parameters/shovel/${seg(vhost)}/${seg(name)}`, op: `delete shovel ${name} in vhost ${vhost}`, accept: [404] });
  }

  async shovelStatus(vhost?: string): Promise<ShovelStatus[]> {
    const path = vhost === undefined ? '/api/shovels' : `/api/shovels/${seg(vhost)}`;
    const { body } = await this.call({ method: 'GET', path, op: vhost === undefined ? 'read shovel status' : `read shovel status in vhost ${vhost}` });
    return (body as Record<string, unknown>[]).map((s) => ({
      name: String(s.name),
      vhost: String(s.vhost),
      type: s.type === 'static' ? 'static' : 'dynamic',
      state: String(s.state),
      ...(s.reason === undefined ? {} : { reason: typeof s.reason === 'string' ? s.reason : JSON.stringify(s.reason) }),
      ...(typeof s.node === 'string' ? { node: s.node } : {}),
      ...(typeof s.timestamp === 'string' ? { timestamp: s.timestamp } : {}),
    }));
  }
}

function reasonOf(body: unknown, statusText: string): string {
  if (body && typeof body === 'object') {
    const b = body as { reason?: unknown; error?: unknown };
    const r = b.reason ?? b.error;
    if (typeof r === 'string') return r;
    if (r !== undefined) return JSON.stringify(r);
  }
  if (typeof body === 'string' && body.trim()) return body.trim().slice(0, 300);
  return statusText;
}

/**
 * One HTTP(S) request with node:http(s), not fetch: fetch takes no CA of its own, and a management
 * API behind a private CA is what the config's caFile is for.
 */
function send(url: string, o: { method: string; headers: Record<string, string>; body: string | undefined; timeoutMs: number; ca: Buffer | undefined }): Promise<{ status: number; statusText: string; text: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const headers = o.body === undefined ? o.headers : { ...o.headers, 'content-length': String(Buffer.byteLength(o.body)) };
    const req = request(target, { method: o.method, headers, ...(o.ca && target.protocol === 'https:' ? { ca: o.ca } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(o.timeoutMs, () => req.destroy(new TimeoutError()));
    req.on('error', reject);
    req.end(o.body);
  });
}

class TimeoutError extends Error {
  override name = 'TimeoutError';
}

function transportReason(e: unknown): string {
  if (e instanceof Error) {
    if (e.name === 'TimeoutError') return 'timed out';
    const code = (e as { code?: string }).code;
    if (code) return `${code} (${e.message})`;
    return e.message;
  }
  return String(e);
}

export function rabbitManagement(endpoint: ManagementEndpoint): RabbitManagement {
  return new HttpManagement(endpoint);
}
