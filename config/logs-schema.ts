// The `logs` sections of the agent bundle and the daemon config (docs/LOGS.md). Shared here so the
// agent's inputs and pipeline and the daemon's sink and ingest read one definition.
import { z } from 'zod';

export const LOG_FORMATS = ['cri', 'docker', 'plain'] as const;

const glob = z.string().min(1).max(4096).describe('a file glob (`*`, `**`, `?`, `{a,b}`); relative globs are resolved from the config file');

export const LogFileInputSchema = z
  .object({
    paths: z.array(glob).min(1).max(64).describe('globs of files to follow'),
    exclude: z.array(glob).max(64).default([]).describe('globs of files never to follow'),
    format: z.enum(LOG_FORMATS).describe('cri: kubelet files /var/log/pods/<ns>_<pod>_<uid>/<container>/<n>.log; docker: json-file lines; plain: one line a record, the file name as the container'),
    namespace: z.string().max(253).optional().describe('namespace to record for plain files (default "")'),
  })
  .strict();
export type LogFileInput = z.infer<typeof LogFileInputSchema>;

export const KubeApiLogInputSchema = z
  .object({
    enabled: z.boolean().default(false).describe('read container logs through the Kubernetes API (pods/log, follow) instead of node files; for an agent without node access (backend: kube only)'),
    namespaces: z.array(z.string().min(1).max(253)).max(1000).default([]).describe('namespaces to follow; empty: every namespace'),
    maxStreams: z.number().int().min(1).max(10_000).default(500).describe('containers followed at once; more are refused and reported'),
  })
  .strict();

export const AgentLogsConfigSchema = z
  .object({
    enabled: z.boolean().default(true).describe('collect and ship container logs'),
    inputs: z
      .array(LogFileInputSchema)
      .max(32)
      .optional()
      .describe("file inputs; default: the backend's CRI files (kube: /var/log/pods/*/*/*.log; sim: the files the simulated cluster writes under the agent's data dir)"),
    kubeApi: KubeApiLogInputSchema.default({ enabled: false, namespaces: [], maxStreams: 500 }),
    maxFiles: z.number().int().min(1).max(100_000).default(2000).describe('files followed at once over all inputs; matches past the cap are refused and reported'),
    scanIntervalMs: z.number().int().min(50).max(600_000).default(1000).describe('how often the globs are expanded again to find new files'),
    holdDeletedSeconds: z.number().min(0).max(86_400).default(300).describe('how long a deleted file with unshipped lines is held open while the next hop is away; past it, its lines are counted as dropped'),
    batch: z
      .object({
        maxRecords: z.number().int().min(1).max(5000).default(2000).describe('records per shipped batch'),
        maxBytes: z.number().int().min(1024).max(8 * 1024 * 1024).default(1024 * 1024).describe('source bytes per shipped batch'),
        flushMs: z.number().int().min(10).max(250).default(250).describe('a partial batch ships after at most this long (at most 250 ms)'),
      })
      .strict()
      .default({ maxRecords: 2000, maxBytes: 1024 * 1024, flushMs: 250 }),
    daemonCaFile: z
      .string()
      .min(1)
      .optional()
      .describe('CA bundle (PEM) to trust for an https `server` signed by a private CA; relative paths are resolved from the config file'),
    edge: z
      .object({
        url: z.string().min(1).max(2048).describe('AMQP URL of this edge\'s own RabbitMQ broker, without credentials, e.g. amqp://127.0.0.1:5672'),
        managementUrl: z.string().min(1).max(2048).describe('its management HTTP API, e.g. http://127.0.0.1:15672'),
        vhost: z.string().min(1).max(255).default('/').describe('the vhost the outbox and the shovel live in'),
        username: z.string().min(1).max(255).describe('a user with configure, write and read on the vhost and the policymaker tag (to set the shovel)'),
        passwordFile: z.string().min(1).describe('file holding its password; relative paths are resolved from the config file'),
        caFile: z.string().min(1).optional().describe('CA bundle (PEM) to trust for an amqps:// url and an https:// managementUrl signed by a private CA; relative paths are resolved from the config file'),
      })
      .strict()
      .optional()
      .describe('the edge RabbitMQ broker a `configure-logging` job with transport rabbitmq sets up and ships to; local to the edge, never in the store'),
    retry: z
      .object({
        initialMs: z.number().int().min(10).max(60_000).default(250).describe('first retry delay while the next hop is away'),
        maxMs: z.number().int().min(100).max(600_000).default(30_000).describe('longest retry delay (jittered exponential backoff)'),
      })
      .strict()
      .default({ initialMs: 250, maxMs: 30_000 }),
  })
  .strict();
export type AgentLogsConfig = z.infer<typeof AgentLogsConfigSchema>;
export const AGENT_LOGS_DEFAULT: AgentLogsConfig = AgentLogsConfigSchema.parse({});

const GIB = 1024 * 1024 * 1024;

const secretFile = (what: string) => z.string().min(1).describe(`file holding ${what} on one line (relative paths are resolved from the config file); never the secret itself in daemon.yaml`);

export const ElasticsearchSinkConfigSchema = z
  .object({
    type: z.literal('elasticsearch'),
    nodes: z
      .array(
        z
          .url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL, e.g. https://es-1:9200' })
          .refine((u) => !/^[a-z]+:\/\/[^/]*@/i.test(u), { message: 'credentials in the URL: put them in logs.sink.auth (apiKeyFile, or username and passwordFile)' })
          .describe('an Elasticsearch node, http:// or https://'),
      )
      .min(1)
      .max(32)
      .describe('Elasticsearch 9 nodes to send to (round robin), e.g. [https://es-1:9200]'),
    auth: z
      .union([z.object({ apiKeyFile: secretFile('an API key (the base64 "encoded" value Elasticsearch returns)') }).strict(), z.object({ username: z.string().min(1).describe('Elasticsearch user'), passwordFile: secretFile("the user's password") }).strict()], {
        error: 'expected {apiKeyFile: FILE} or {username: NAME, passwordFile: FILE}: secrets are read from files, never written in daemon.yaml',
      })
      .optional()
      .describe('credentials: {apiKeyFile} or {username, passwordFile}; none for a cluster without security'),
    caFile: z.string().min(1).optional().describe('PEM CA bundle to trust for https nodes signed by a private CA, e.g. a copy of config/certs/http_ca.crt; relative paths are resolved from the config file'),
    indexPrefix: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{0,99}$/, 'expected lower-case letters, digits, ".", "_" or "-", starting with a letter or digit (an Elasticsearch index name)')
      .default('flotilla-logs')
      .describe('indices are <prefix>-YYYY.MM.DD (…-HH below a day) and the index template is named <prefix>; give Flotilla a prefix of its own'),
    indexHours: z.number().int().min(1).max(168).default(24).describe('hours of records per index, by the record ts; fixed by the first start (the index template keeps it); retention deletes whole indices'),
    indexSettings: z
      .object({
        shards: z.number().int().min(1).max(1024).optional().describe('index.number_of_shards (cluster default: 1)'),
        replicas: z.number().int().min(0).max(32).optional().describe('index.number_of_replicas (cluster default: 1; 0 on a single node)'),
        refreshInterval: z
          .string()
          .regex(/^\d+(ms|s|m)$/, 'expected a time like 500ms, 1s or 1m')
          .optional()
          .describe('index.refresh_interval (default 1s): how often writes become searchable; with refresh: wait_for each write waits for one'),
      })
      .strict()
      .optional()
      .describe('settings of the indices made from now on (they go into the index template); existing indices keep theirs'),
    refresh: z.enum(['wait_for', 'force']).default('wait_for').describe('how a write becomes searchable before it is acknowledged: wait_for the next refresh (index.refresh_interval, 1s by default), or force one per bulk request'),
    requestTimeoutMs: z.number().int().min(1000).max(600_000).default(30_000).describe('timeout of one request to Elasticsearch'),
    retry: z
      .object({
        initialMs: z.number().int().min(10).max(60_000).default(200).describe('first delay after a 429, a 5xx or a reset (jittered exponential backoff)'),
        maxMs: z.number().int().min(100).max(600_000).default(10_000).describe('longest delay between attempts'),
        writeDeadlineMs: z.number().int().min(1000).max(600_000).default(20_000).describe('a batch not through after this long is answered 503 (the sender retries it); keep it below the agents\' request timeout (30s)'),
      })
      .strict()
      .default({ initialMs: 200, maxMs: 10_000, writeDeadlineMs: 20_000 }),
  })
  .strict();
export type ElasticsearchSinkConfig = z.infer<typeof ElasticsearchSinkConfigSchema>;

function brokerUrl(protocols: readonly string[], what: string) {
  return z
    .string()
    .min(1)
    .refine((v) => URL.canParse(v) && protocols.includes(new URL(v).protocol), { message: `must be a ${protocols.map((p) => p.replace(':', '://')).join(' or ')} URL` })
    .refine((v) => !URL.canParse(v) || (new URL(v).username === '' && new URL(v).password === ''), { message: 'must not carry credentials (username and passwordFile hold them)' })
    .describe(what);
}

/** The central broker (docs/LOGS.md, "Central ingestion from RabbitMQ"). */
export const RabbitMqCentralSchema = z
  .object({
    url: brokerUrl(['amqp:', 'amqps:'], 'AMQP URL of the central broker, without credentials, e.g. amqp://127.0.0.1:5672'),
    managementUrl: brokerUrl(['http:', 'https:'], 'management HTTP API of the central broker, e.g. http://127.0.0.1:15672'),
    vhost: z.string().min(1).max(255).default('/').describe('virtual host of the log chain on the central broker'),
    username: z.string().min(1).max(255).describe("the daemon's administrator user on the central broker (AMQP and management API)"),
    passwordFile: z.string().min(1).describe("file holding that user's password (one line, mode 0600); relative paths are resolved from the config file"),
    caFile: z.string().min(1).optional().describe('CA bundle (PEM) to trust for amqps:// and https:// URLs signed by a private CA; relative paths are resolved from the config file'),
    advertisedUrl: brokerUrl(['amqp:', 'amqps:'], 'the central broker as edge shovels dial it, without credentials; default: url').optional(),
    prefetch: z.number().int().min(100).max(65_535).default(200).describe('unacknowledged deliveries the broker sends ahead of the acks (at least 100)'),
  })
  .strict();
export type RabbitMqCentralConfig = z.infer<typeof RabbitMqCentralSchema>;
export const DaemonLogsConfigSchema = z
  .object({
    sink: z
      .discriminatedUnion('type', [
        z
          .object({
            type: z.literal('sqlite'),
            path: z.string().min(1).optional().describe('log database file; default <dataDir>/logs.db (a file of its own, so ingest never blocks the registry)'),
            partitionHours: z.number().int().min(1).max(168).default(24).describe('hours of records per partition (table and index); retention drops whole partitions'),
          })
          .strict(),
        ElasticsearchSinkConfigSchema,
      ])
      .default({ type: 'sqlite', partitionHours: 24 })
      .describe('where records are stored and searched: {type: sqlite} (FTS5 in the data directory, the default) or {type: elasticsearch} (an Elasticsearch 9 cluster)'),
    retention: z
      .object({
        maxAge: z.string().min(2).default('7d').describe('records older than this are removed, e.g. 7d, 36h'),
        maxBytes: z.number().int().min(1024 * 1024).default(10 * GIB).describe('the log store is kept under this size by removing the oldest records'),
        intervalSeconds: z.number().int().min(1).max(86_400).default(300).describe('how often retention runs'),
      })
      .strict()
      .default({ maxAge: '7d', maxBytes: 10 * GIB, intervalSeconds: 300 }),
    ingest: z
      .object({
        maxBatchBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(16 * 1024 * 1024).describe('largest signed batch accepted on POST /api/v1/ingest/logs'),
      })
      .strict()
      .default({ maxBatchBytes: 16 * 1024 * 1024 }),
    rabbitmq: RabbitMqCentralSchema.optional().describe('the central RabbitMQ broker the daemon consumes flotilla.logs.ingest from and manages (topology) through its management API; absent: the embedded chain only (POST /api/v1/ingest/logs)'),
    health: z
      .object({
        lagSeconds: z.number().int().min(1).max(86_400).default(60).describe('a cluster whose oldest unshipped line is older than this is degraded'),
      })
      .strict()
      .default({ lagSeconds: 60 }),
  })
  .strict();
export type DaemonLogsConfig = z.infer<typeof DaemonLogsConfigSchema>;
