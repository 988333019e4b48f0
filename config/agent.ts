// The agent's config is its bootstrap bundle, optionally edited: file, then FLOTILLA_* env, then flags.
import { envOverrides, loadConfigFile, type Overrides } from './load.js';
import { AgentConfigSchema, type AgentConfig } from './schemas.js';

export const AGENT_ENV = {
  FLOTILLA_AGENT_DATA: { path: 'agent.dataDir', type: 'string' },
  FLOTILLA_AGENT_BACKEND: { path: 'agent.backend', type: 'string' },
  FLOTILLA_STATUS_INTERVAL: { path: 'status.intervalSeconds', type: 'number' },
  FLOTILLA_STORE_PATH: { path: 'store.path', type: 'string' },
  FLOTILLA_STORE_POLL_MS: { path: 'store.pollIntervalMs', type: 'number' },
  FLOTILLA_LOG_LEVEL: { path: 'log.level', type: 'string' },
  FLOTILLA_LOG_FILE: { path: 'log.file', type: 'string' },
} as const;

export const AGENT_PATH_KEYS = ['store.path', 'agent.dataDir', 'log.file', 'kube.kubeconfig', 'logs.daemonCaFile', 'logs.edge.passwordFile', 'logs.edge.caFile', 'monitoring.configDir'];

export function loadAgentConfig(file: string, flags: Overrides = {}, env: NodeJS.ProcessEnv = process.env): AgentConfig {
  return loadConfigFile({
    file,
    schema: AgentConfigSchema,
    overrides: { ...envOverrides(env, AGENT_ENV), ...flags },
    pathKeys: AGENT_PATH_KEYS,
    emptyNext: 'Use the bundle `flotilla cluster add NAME --out FILE` wrote for this cluster; config/examples/agent-bundle.yaml documents every key.',
  });
}
