// Pure: the commented daemon.yaml `flotilla init` writes. Paths are relative to the file, so a data
// directory can be moved as a whole.
import { stringify } from 'yaml';

export interface DaemonYamlInput {
  host: string;
  port: number;
}

export function daemonYaml(input: DaemonYamlInput): string {
  const listen = stringify({ host: input.host, port: input.port }).trimEnd().split('\n').map((l) => `  ${l}`).join('\n');
  return `# Flotilla control-plane configuration, written by \`flotilla init\`.
# Relative paths are resolved from this file's directory. Environment variables FLOTILLA_*
# and command-line flags override these values (see \`flotilla daemon --help\`).

# Where the daemon listens for the CLI, the TUI (REST and WebSocket) and /metrics.
# Keep it on loopback unless you also configure tls below.
listen:
${listen}

# Base URL agents and clients should use, if it differs from the listen address (e.g. behind a proxy).
# publicUrl: https://flotilla.example.com

# Serve HTTPS/WSS from these PEM files.
# tls:
#   cert: ./tls/server.crt
#   key: ./tls/server.key

# The registry (registry.db) and the daemon log (daemon.log) live here.
dataDir: .

# The orchestration store shared with every agent: a local directory or an NFS mount.
# Agents get its absolute path in their bootstrap bundle.
store:
  type: dir
  path: ./store
  pollIntervalMs: 1000

# The control-plane Ed25519 signing key (mode 0600). Back it up: agents trust only this key.
keys:
  signingKey: ./keys/controlplane.key

# How often agents report, and how many missed reports make a cluster "unreachable".
status:
  intervalSeconds: 10
  unreachableAfterIntervals: 3

# Browser Origins allowed to open /ws; none by default (terminal clients send no Origin).
# Connection caps and timeouts (api.connections) and the summaries of refused unauthenticated
# requests (api.unauthenticated) are documented in config/examples/daemon.yaml.
api:
  allowedOrigins: []

# Largest status envelope accepted from the store, in bytes.
limits:
  statusMaxBytes: 4194304

# level: trace, debug, info, warn, error, fatal or silent; file "-" logs to stderr.
log:
  level: info
  # file: ./daemon.log

# Control-plane backups: the registry is snapshotted into the store (controlplane/backups/) every
# interval ("off": only \`flotilla backup\`), keeping the newest \`keep\`. \`flotilla restore --config
# daemon.yaml\` rebuilds this data directory on any host; it needs the signing key above, so keep a
# copy of this file and that key somewhere other than this host.
backup:
  interval: 1h
  keep: 24
`;
}
