// Starts the control plane: registry, fleet state, store sync, health re-evaluation, REST and WS.
import { centralBroker } from './logging/central.js';
import { switchLogging } from './logging/switch.js';
import { FederationFileSd } from './monitoring/file-sd.js';
import { MonitoringService } from './monitoring/configure.js';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { FlotillaError } from '../core/errors.js';
import { readPrivateKeyFile } from '../core/key-files.js';
import { assertOwnerOnly, mkdirPrivate } from '../core/private-file.js';
import { createLogger, type Logger } from '../core/log.js';
import { countedStore } from '../core/store/counted.js';
import { openStore } from '../core/store/open.js';
import { VERSION } from '../core/version.js';
import type { DaemonConfig } from '../config/schemas.js';
import { Bindings } from './auth/bindings.js';
import { OidcVerifier } from './auth/oidc.js';
import { Authenticator } from './api/auth.js';
import { guardConnections } from './api/connection-guard.js';
import { Refusals } from './api/refusals.js';
import { BackupService } from './backup/service.js';
import { attachRoutes, createServer } from './api/server.js';
import { WsHub } from './api/ws.js';
import { wsPlugins } from './api/ws-registry.js';
import { FleetService } from './fleet/service.js';
import { FleetState } from './fleet/state.js';
import { ResultPoll } from './jobs/result-poll.js';
import { retentionPolicy } from './jobs/retention.js';
import { RetentionSweep } from './jobs/retention-sweep.js';
import { JobService } from './jobs/service.js';
import { openLogSink } from './logs/open-sink.js';
import { openRabbitIngest } from './logs/rabbitmq/open.js';
import type { RabbitIngest } from './logs/rabbitmq/consumer.js';
import { LogService } from './logs/service.js';
import { prometheusClient } from './metrics/prometheus-client.js';
import { MetricsService } from './metrics/service.js';
import { DaemonMetrics } from './metrics.js';
import { controlPlaneIdentity, publishControlPlaneKey } from './publish-key.js';
import { Registry } from './registry/registry.js';
import { assertKnownStore, prepareStoreDirectory } from './store-guard.js';
import { StoreSync } from './sync/store-sync.js';

export interface DaemonHandle {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Clock-driven health (silence, TTL) is re-derived this often. */
export const REEVALUATE_MS = 1000;
/** Finished jobs past their retention age leave the store within this long. */
export const RETENTION_SWEEP_MS = 60_000;

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function listen(server: ReturnType<typeof createServer>, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      const next = e.code === 'EADDRINUSE' ? `Stop whatever uses ${host}:${port}, or set listen.port in daemon.yaml (0 picks a free port).` : 'Check listen.host and listen.port in daemon.yaml.';
      reject(new FlotillaError('unavailable', `cannot listen on ${host}:${port}: ${e.message}`, next, { cause: e }));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

export async function startDaemon(config: DaemonConfig, opts: { logger?: Logger } = {}): Promise<DaemonHandle> {
  assertOwnerOnly(config.keys.signingKey, 'signing key');
  prepareStoreDirectory(config.store);
  mkdirPrivate(config.dataDir);
  const log = opts.logger ?? createLogger({ name: 'flotilla-daemon', level: config.log.level, file: config.log.file ?? join(config.dataDir, 'daemon.log') });
  const signingKey = readPrivateKeyFile(config.keys.signingKey);
  const store = openStore(config.store);
  await assertKnownStore(config.store, store);
  const registryPath = join(config.dataDir, 'registry.db');
  const registry = Registry.open(registryPath);
  // closed just before the registry (on stop, and on a failed start) so it can write the summaries still open
  const refusals = new Refusals({ audit: registry.audit, log, windowSeconds: config.api.unauthenticated.summaryWindowSeconds, maxSources: config.api.unauthenticated.maxSources });
  const timers: NodeJS.Timeout[] = [];
  let logs: LogService | undefined;
  let rabbit: RabbitIngest | undefined;
  let series: MetricsService | undefined;
  let fileSd: FederationFileSd | undefined;
  try {
    const state = new FleetState(config.status.unreachableAfterIntervals, config.logs.health.lagSeconds);
    const metrics = new DaemonMetrics(() => state.healthCounts(Date.now()));
    const service = new FleetService(registry, state, metrics, log);
    service.load();
    const store = countedStore(openStore(config.store), (op, area, entries) => {
      metrics.storeRequests.inc({ op, area });
      metrics.storeRequestEntries.inc({ op, area }, entries);
    });
    await publishControlPlaneKey(store, signingKey);
    const retention = new RetentionSweep({ registry, store, policy: retentionPolicy(config.jobs.retention), log, metrics });
    const jobs = new JobService({ registry, fleet: service, store, signingKey, log, storeGate: retention });
    const sweep = (clusters?: string[]) => void retention.sweep(clusters).catch((e: unknown) => log.error({ err: e }, 'retention sweep failed; will retry'));
    const results = new ResultPoll({ registry, store, fleet: service, jobs, log, intervalMs: config.store.pollIntervalMs, onApplied: sweep });
    // Job store writes and teardowns run beside the clock; stop() waits for them before closing the registry.
    const background = new Set<Promise<void>>();
    const track = (what: string, p: Promise<void>) => {
      const done = p.catch((e: unknown) => log.error({ err: e }, `${what} failed; will retry`)).finally(() => background.delete(done));
      background.add(done);
    };
    service.onExpired((names) => track('teardown', jobs.teardown(names)));
    const backups = new BackupService({ registry, store, signingKey, dataDir: config.dataDir, config: config.backup, log, metrics: metrics.registry });
    // Its own database file, so ingest never blocks registry writes; it commits before a batch is acked.
    logs = new LogService({
      sink: await openLogSink(config.logs, config.dataDir, log),
      config: config.logs,
      pinnedKey: (keyid) => service.pinnedKey(keyid),
      registry,
      metrics,
      log,
      refusalWindowSeconds: config.api.unauthenticated.summaryWindowSeconds,
      refusalMaxSources: config.api.unauthenticated.maxSources,
    });
    const logService = logs;
    // Its own database file too: a report's points are buffered and written every few seconds.
    const prometheus = config.metrics.source === 'prometheus' && config.metrics.prometheus ? prometheusClient(config.metrics.prometheus) : undefined;
    series = new MetricsService({ dataDir: config.dataDir, failedJobs: (cluster, since) => registry.jobs.failedSince(cluster, since), log, ...(prometheus ? { prometheus, prometheusStaleMs: (config.metrics.prometheus?.staleSeconds ?? 120) * 1000 } : {}) });
    const metricsService = series;
    service.onReports((accepted) => metricsService.recordReports(accepted));
    service.onRemoved((name) => metricsService.forget(name));
    // The central broker, when configured: consumed beside the HTTP ingest, into the same sink.
    const rabbitConfig = config.logs.rabbitmq;
    if (rabbitConfig) {
      rabbit = openRabbitIngest(rabbitConfig, { logs: logService, pinnedKey: (keyid) => service.pinnedKey(keyid), maxBatchBytes: config.logs.ingest.maxBatchBytes, metrics, log });
    }
    // Read at start, so a missing password file is a config error now, not at the first switch.
    const central = config.logs.rabbitmq ? centralBroker(config.logs.rabbitmq) : undefined;
    // The central file_sd file, kept from the registry: written now and on every cluster or settings change.
    const federation = config.metrics.federation;
    const fileSdWriter = federation
      ? new FederationFileSd({
          path: federation.fileSdPath,
          ...(federation.edgePattern ? { edgePattern: federation.edgePattern } : {}),
          clusters: () => {
            const settings = new Map(registry.monitoring.all().map((m) => [m.cluster, m.settings]));
            return [...state.values()].map((e) => ({ name: e.record.name, monitoring: settings.get(e.record.name) ?? null }));
          },
          log,
        })
      : undefined;
    fileSd = fileSdWriter;
    service.onAdded(() => fileSdWriter?.refresh());
    service.onRemoved(() => fileSdWriter?.refresh());
    const monitoring = new MonitoringService({ store, signingKey, registry, fleet: service, jobs, onChanged: () => fileSdWriter?.refresh() });

    const bindings = new Bindings(registry.bindings, config.auth.bindings);
    const auth = new Authenticator(registry.tokens, bindings, config.auth.oidc ? new OidcVerifier(config.auth.oidc, log.child({ component: 'oidc' })) : undefined);
    const server = createServer(config.tls, config.api.connections);
    guardConnections(server, { caps: config.api.connections, tls: config.tls !== undefined, metrics, refusals });
    const hub = new WsHub({ auth, audit: registry.audit, metrics, log, allowedOrigins: config.api.allowedOrigins, refusals, labelsOf: (n) => registry.clusters.get(n)?.labels, ...wsPlugins({ fleet: service, jobs, logs: logService, metrics: metricsService, registry }) });
    let publicUrl = config.publicUrl ?? '';
    attachRoutes(server, {
      ctx: {
        config,
        registry,
        service,
        jobs,
        backups,
        logs: logService,
        metrics: metricsService,
        controlPlane: controlPlaneIdentity(signingKey),
        storeDescription: store.description,
        registryPath,
        publicUrl: () => publicUrl,
        onTokenRevoked: (id) => hub.closeToken(id),
        bindings,
        onBindingsChanged: () => hub.closeStale('grants changed'),
        switchLogging: (who, req) => switchLogging({ store, signingKey, registry, fleet: service, jobs, ...(central ? { central } : {}) }, who, req),
        configureMonitoring: (who, req) => monitoring.configure(who, req),
      },
      auth,
      metrics,
      log,
      refusals,
    });
    server.on('upgrade', (req, socket, head) => hub.handleUpgrade(req, socket, head));
    server.on('clientError', (_err, socket) => socket.destroy());
    await listen(server, config.listen.host, config.listen.port).catch(async (e: unknown) => {
      await hub.close();
      throw e;
    });
    const port = (server.address() as AddressInfo).port;
    const url = `${config.tls ? 'https' : 'http'}://${urlHost(config.listen.host)}:${port}`;
    publicUrl = config.publicUrl ?? url;

    const sync = new StoreSync({ store, service, metrics, log, pollIntervalMs: config.store.pollIntervalMs, statusMaxBytes: config.limits.statusMaxBytes });
    sync.start();
    backups.start();
    results.start();
    logService.start();
    metricsService.start();
    rabbit?.start();
    await fileSdWriter?.start();
    sweep();
    // The age rule needs a clock; the count rule also runs as results come in (onApplied above).
    const sweeper = setInterval(() => sweep(), RETENTION_SWEEP_MS);
    sweeper.unref();
    timers.push(sweeper);
    const reevaluate = setInterval(() => {
      try {
        service.reevaluate(Date.now());
        if (background.size === 0) track('job store write', jobs.flushPending());
      } catch (e) {
        log.error({ err: e }, 'health re-evaluation failed; will retry');
      }
    }, REEVALUATE_MS);
    reevaluate.unref();
    timers.push(reevaluate);
    log.info({ url, publicUrl, store: store.description, clusters: state.size, version: VERSION }, 'daemon listening');

    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= (async () => {
        for (const t of timers) clearInterval(t);
        await sync.stop();
        await backups.stop();
        await results.stop();
        await retention.sweep([]);
        await Promise.all(background);
        // the batch being committed finishes and is acked; what is unacked is redelivered to the next daemon
        await rabbit?.stop();
        // new batches get 503 from here on; the writer drains and the sink closes before the registry
        await logService.stop();
        await hub.close();
        metricsService.stop();
        await fileSdWriter?.stop();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        refusals.close();
        registry.close();
        log.info('daemon stopped');
      })();
      return stopping;
    };
    return { url, port, stop };
  } catch (e) {
    for (const t of timers) clearInterval(t);
    await rabbit?.stop();
    await logs?.stop().catch((err: unknown) => log.error({ err }, 'could not close the log sink'));
    series?.stop();
    await fileSd?.stop();
    refusals.close();
    registry.close();
    throw e;
  }
}
