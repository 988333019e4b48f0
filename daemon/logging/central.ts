// The central broker of the daemon config (logs.rabbitmq) as the logging switch uses it: the
// management adapter as the daemon's administrator, the vhost, and the URL edge shovels dial.
import { readFileSync } from 'node:fs';
import type { DaemonLogsConfig } from '../../config/logs-schema.js';
import { rabbitManagement } from '../../core/brokers/rabbitmq-management.js';
import { FlotillaError } from '../../core/errors.js';
import type { CentralBroker } from './switch.js';

export function centralBroker(rabbitmq: NonNullable<DaemonLogsConfig['rabbitmq']>): CentralBroker {
  let password: string;
  try {
    password = readFileSync(rabbitmq.passwordFile, 'utf8').replace(/\r?\n$/, '');
  } catch (e) {
    throw new FlotillaError('config', `cannot read logs.rabbitmq.passwordFile ${rabbitmq.passwordFile}: ${(e as Error).message}`, "Point logs.rabbitmq.passwordFile at a file holding the central broker administrator's password.", { cause: e });
  }
  return {
    management: rabbitManagement({ url: rabbitmq.managementUrl, username: rabbitmq.username, password }),
    vhost: rabbitmq.vhost,
    advertisedUrl: rabbitmq.advertisedUrl ?? rabbitmq.url,
  };
}
