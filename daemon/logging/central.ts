// The central broker of the daemon config (logs.rabbitmq) as the logging switch uses it: the
// management adapter as the daemon's administrator, the vhost, and the URL edge shovels dial.
import type { DaemonLogsConfig } from '../../config/logs-schema.js';
import { rabbitManagement } from '../../core/brokers/rabbitmq-management.js';
import { readBrokerFile, readBrokerPassword } from '../logs/rabbitmq/open.js';
import type { CentralBroker } from './switch.js';

export function centralBroker(rabbitmq: NonNullable<DaemonLogsConfig['rabbitmq']>): CentralBroker {
  const password = readBrokerPassword(rabbitmq.passwordFile);
  const ca = rabbitmq.caFile === undefined ? undefined : readBrokerFile(rabbitmq.caFile, 'caFile');
  return {
    management: rabbitManagement({ url: rabbitmq.managementUrl, username: rabbitmq.username, password, ...(ca ? { ca } : {}) }),
    vhost: rabbitmq.vhost,
    advertisedUrl: rabbitmq.advertisedUrl ?? rabbitmq.url,
  };
}
