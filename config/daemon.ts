// daemon.yaml: file, then FLOTILLA_* environment, then flags.
import { envOverrides, loadConfigFile, type Overrides } from './load.js';
import { DaemonConfigSchema, type DaemonConfig } from './schemas.js';

export const DAEMON_ENV = {
  FLOTILLA_LISTEN_HOST: { path: 'listen.host', type: 'string' },
  FLOTILLA_LISTEN_PORT: { path: 'listen.port', type: 'number' },
  FLOTILLA_PUBLIC_URL: { path: 'publicUrl', type: 'string' },
  FLOTILLA_DATA_DIR: { path: 'dataDir', type: 'string' },
  FLOTILLA_STORE_PATH: { path: 'store.path', type: 'string' },
  FLOTILLA_STORE_POLL_MS: { path: 'store.pollIntervalMs', type: 'number' },
  FLOTILLA_LOG_LEVEL: { path: 'log.level', type: 'string' },
  FLOTILLA_LOG_FILE: { path: 'log.file', type: 'string' },
} as const;

export const DAEMON_PATH_KEYS = ['dataDir', 'store.path', 'keys.signingKey', 'tls.cert', 'tls.key', 'log.file', 'logs.sink.caFile', 'logs.sink.auth.apiKeyFile', 'logs.sink.auth.passwordFile', 'logs.rabbitmq.passwordFile', 'logs.rabbitmq.caFile', 'metrics.federation.fileSdPath'];

export function loadDaemonConfig(file: string, flags: Overrides = {}, env: NodeJS.ProcessEnv = process.env): DaemonConfig {
  return loadConfigFile({
    file,
    schema: DaemonConfigSchema,
    overrides: { ...envOverrides(env, DAEMON_ENV), ...flags },
    pathKeys: DAEMON_PATH_KEYS,
    emptyNext: 'Write a complete one with `flotilla init --data DIR` (config, signing key, registry and store), or copy config/examples/daemon.yaml and edit it.',
  });
}
