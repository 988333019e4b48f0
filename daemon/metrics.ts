// The daemon's Prometheus metrics, on a registry of its own so several daemons in one process (tests)
// never share counters.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { HEALTH_STATES, type Health } from '../core/fleet.js';

export class DaemonMetrics {
  readonly registry = new Registry();
  readonly statusReports: Counter;
  readonly rejections: Counter<'reason'>;
  readonly wsClients: Gauge;
  readonly wsBadFrames: Counter;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly pollSeconds: Histogram;
  readonly httpConnections: Gauge;
  readonly httpConnectionsRefused: Counter<'reason'>;
  readonly httpConnectionsShed: Counter;
  readonly storeRequests: Counter<'op' | 'area'>;
  readonly storeRequestEntries: Counter<'op' | 'area'>;
  readonly jobsRemovedFromStore: Counter;
  readonly storePolls: Counter<'kind'>;
  readonly logIngestBatches: Counter<'result'>;
  readonly logIngestRecords: Counter<'result'>;
  readonly logIngestRejected: Counter<'reason'>;
  readonly logDroppedReported: Counter<'cluster'>;
  readonly logSinkWriteSeconds: Histogram;
  readonly logRetentionRemoved: Counter;
  readonly logSinkBytes: Gauge;
  readonly logDeadLetters: Counter<'reason'>;
  readonly rabbitMessages: Counter<'result'>;
  readonly rabbitRecords: Counter<'result'>;
  readonly rabbitCommits: Counter<'result'>;
  readonly rabbitConsumerState: Gauge<'state'>;
  readonly rabbitReconnects: Counter;

  constructor(healthCounts: () => Record<Health, number>) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'flotilla_daemon_' });
    new Gauge({
      name: 'flotilla_clusters',
      help: 'Clusters by current health',
      labelNames: ['health'],
      registers,
      collect() {
        const counts = healthCounts();
        for (const h of HEALTH_STATES) this.set({ health: h }, counts[h]);
      },
    });
    this.statusReports = new Counter({ name: 'flotilla_status_reports_total', help: 'Status reports accepted from the store', registers });
    this.rejections = new Counter({ name: 'flotilla_store_rejections_total', help: 'Store objects rejected, by reason', labelNames: ['reason'], registers });
    this.wsClients = new Gauge({ name: 'flotilla_ws_clients', help: 'Open WebSocket connections', registers });
    this.wsBadFrames = new Counter({ name: 'flotilla_ws_bad_frames_total', help: 'WebSocket frames refused as invalid', registers });
    this.httpRequests = new Counter({ name: 'flotilla_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'], registers });
    this.httpConnections = new Gauge({ name: 'flotilla_http_connections', help: 'Open client connections (REST, /ws, /metrics)', registers });
    this.httpConnectionsRefused = new Counter({ name: 'flotilla_http_connections_refused_total', help: 'Connections refused at api.connections.maxPerSource (reason "source") or api.connections.max ("total")', labelNames: ['reason'], registers });
    this.httpConnectionsShed = new Counter({ name: 'flotilla_http_connections_shed_total', help: 'Idle connections (no request in flight) closed to admit a new one at a connection cap', registers });
    this.storeRequests = new Counter({ name: 'flotilla_store_requests_total', help: 'Store requests made by the daemon, by operation (get, put, head, headMany, list, delete) and key area (status, jobs, results, …)', labelNames: ['op', 'area'], registers });
    this.storeRequestEntries = new Counter({ name: 'flotilla_store_request_entries_total', help: 'Keys asked of headMany and entries returned by list, by operation and key area (1 for the other operations)', labelNames: ['op', 'area'], registers });
    this.jobsRemovedFromStore = new Counter({ name: 'flotilla_jobs_removed_from_store_total', help: 'Finished jobs whose envelope and result left the store under jobs.retention', registers });
    this.pollSeconds = new Histogram({
      name: 'flotilla_store_poll_seconds',
      help: 'Time to handle one batch of store changes',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.logIngestBatches = new Counter({ name: 'flotilla_log_ingest_batches_total', help: 'Log batches posted to /api/v1/ingest/logs, by result: stored (committed and acked), refused (4xx), busy (503: writer queue full or sink unavailable)', labelNames: ['result'], registers });
    this.logIngestRecords = new Counter({ name: 'flotilla_log_ingest_records_total', help: 'Log records of acked batches: stored (new), duplicate (id already stored: a resend or a re-read) or rejected (refused one by one by the store, e.g. an Elasticsearch item 400: not stored, logged)', labelNames: ['result'], registers });
    this.logIngestRejected = new Counter({ name: 'flotilla_log_ingest_rejected_total', help: 'Log batches refused, by reason (oversize, malformed_json, unknown_key, bad_signature, malformed_payload, wrong_cluster, …)', labelNames: ['reason'], registers });
    this.logDroppedReported = new Counter({ name: 'flotilla_log_dropped_reported_lines_total', help: 'Log lines agents reported lost before they could ship them (rotated or deleted unread), by cluster', labelNames: ['cluster'], registers });
    this.logSinkWriteSeconds = new Histogram({ name: 'flotilla_log_sink_write_seconds', help: 'Time for the log sink to commit one batch', buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers });
    this.logRetentionRemoved = new Counter({ name: 'flotilla_log_retention_removed_records_total', help: 'Log records removed by retention (logs.retention: age and size)', registers });
    this.logSinkBytes = new Gauge({ name: 'flotilla_log_sink_bytes', help: 'Size of the log store in bytes, as of the last retention run (logs.retention.intervalSeconds)', registers });
    this.logDeadLetters = new Counter({ name: 'flotilla_log_dead_letters_total', help: 'Deliveries of the central ingest queue published to flotilla.logs.dead and acked, by reason (x-flotilla-reason: malformed_json, bad_signature, unknown_key, wrong_cluster, wrong_user, …)', labelNames: ['reason'], registers });
    this.rabbitMessages = new Counter({ name: 'flotilla_log_rabbitmq_messages_total', help: 'Deliveries of flotilla.logs.ingest settled, by result: stored (committed, then acked), dead (dead-lettered, then acked), requeued (nacked back after a sink failure)', labelNames: ['result'], registers });
    this.rabbitRecords = new Counter({ name: 'flotilla_log_rabbitmq_records_total', help: 'Log records of committed broker deliveries: stored (new), duplicate (id already stored: a redelivery or a resend) or dead (refused for good by the store, published to flotilla.logs.dead on its own)', labelNames: ['result'], registers });
    this.rabbitCommits = new Counter({ name: 'flotilla_log_rabbitmq_commits_total', help: 'Sink writes of consumer batches (each one transaction for several deliveries), by result: stored or failed', labelNames: ['result'], registers });
    this.rabbitConsumerState = new Gauge({ name: 'flotilla_log_rabbitmq_consumer_state', help: 'The central ingest consumer: 1 for its current state (connecting, consuming, paused while the sink fails, reconnecting, stopped), 0 for the others', labelNames: ['state'], registers });
    this.rabbitReconnects = new Counter({ name: 'flotilla_log_rabbitmq_reconnects_total', help: 'Connections to the central broker lost or refused, each followed by a jittered backoff and a new connection that declares the topology again', registers });
    this.storePolls = new Counter({ name: 'flotilla_store_polls_total', help: 'Store polls: listing (known keys and a listing), known (known keys only), hint (keys named by watch hints)', labelNames: ['kind'], registers });
  }
}
