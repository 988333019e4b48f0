// Applies topology data (core/brokers/topology.ts) to a broker through its management API, in the
// order RabbitMQ needs: exchanges and queues before the bindings between them. Declaring is
// idempotent, so applying the same topology again changes nothing; a queue that exists with other
// arguments is a conflict the caller reports rather than a silent replacement of a full buffer.
import type { RabbitManagement } from './rabbitmq-management.js';
import type { Topology, UserSpec } from './topology.js';

export async function applyTopology(m: RabbitManagement, vhost: string, t: Topology): Promise<void> {
  for (const e of t.exchanges) await m.putExchange(vhost, e);
  for (const q of t.queues) await m.putQueue(vhost, q);
  for (const b of t.bindings) await m.putBinding(vhost, b);
}

/** Creates the user (or sets its new password) and its permissions on the vhost. */
export async function applyUser(m: RabbitManagement, vhost: string, user: UserSpec, password: string): Promise<void> {
  await m.putUser(user.name, password, user.tags);
  await m.setPermissions(vhost, user.name, user.permissions);
}
