// The central ingest consumer from the daemon config (`logs.rabbitmq`): reads the password file and
// the CA bundle at start, so a missing or unreadable one is a config error (exit 78) naming the key
// to fix, while a broker that does not answer yet is only retried (consumer.ts).
import { readFileSync } from 'node:fs';
import { rabbitManagement } from '../../../core/brokers/rabbitmq-management.js';
import { FlotillaError } from '../../../core/errors.js';
import { assertOwnerOnly } from '../../../core/private-file.js';
import type { RabbitMqCentralConfig } from '../../../config/logs-schema.js';
import { RabbitIngest, type RabbitIngestOptions } from './consumer.js';

/** A file a logs.rabbitmq key names; unreadable is a config error naming the key. */
export function readBrokerFile(path: string, key: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new FlotillaError('config', `logs.rabbitmq.${key}: cannot read ${path} (${code})`, `Point logs.rabbitmq.${key} in daemon.yaml at a readable file${code === 'ENOENT' ? ', or create it' : ''}.`, { cause: e, details: { keyPath: `logs.rabbitmq.${key}`, path } });
  }
}

/** The password: the file's first line, which must not be empty. */
export function readBrokerPassword(path: string): string {
  assertOwnerOnly(path, 'RabbitMQ password file (logs.rabbitmq.passwordFile)');
  const password = readBrokerFile(path, 'passwordFile').toString('utf8').split(/\r?\n/, 1)[0] ?? '';
  if (password === '') throw new FlotillaError('config', `logs.rabbitmq.passwordFile: ${path} is empty`, "Write the central broker user's password on the file's first line (mode 0600).", { details: { keyPath: 'logs.rabbitmq.passwordFile', path } });
  return password;
}

export function openRabbitIngest(config: RabbitMqCentralConfig, deps: Omit<RabbitIngestOptions, 'config' | 'password' | 'ca' | 'management'>): RabbitIngest {
  const password = readBrokerPassword(config.passwordFile);
  const ca = config.caFile === undefined ? undefined : readBrokerFile(config.caFile, 'caFile');
  const management = rabbitManagement({ url: config.managementUrl, username: config.username, password, ...(ca ? { ca } : {}) });
  return new RabbitIngest({ ...deps, config, password, management, ...(ca ? { ca } : {}) });
}
