// The agent's own /metrics (prom-client, its own Registry so several in-process agents in tests and
// the demo never collide), served on loopback only. On the sim backend the same port also serves the
// simulated cluster's kube-state-metrics- and cAdvisor-shaped series at /metrics/cluster, apart from
// the agent's own, as the cluster's exporters would be (docs/METRICS.md).
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry } from 'prom-client';
import { FlotillaError } from '../core/errors.js';
import { EXPOSITION_CONTENT_TYPE } from './sim/prom-text.js';

export interface AgentMetrics {
  registry: Registry;
  reportsWritten: Counter;
  reportFailures: Counter;
  storeErrors: Counter<'op'>;
  lastReportTimestamp: Gauge;
  statusSeq: Gauge;
  jobsFinished: Counter<'type' | 'state'>;
  jobRejections: Counter<'reason'>;
  lastJobSeq: Gauge;
  storeRequests: Counter<'op' | 'area'>;
  /** Log shipping (agent/logs/pipeline.ts). */
  logs: {
    linesRead: Counter;
    linesShipped: Counter;
    droppedLines: Counter;
    droppedBytes: Counter;
    shipErrors: Counter<'kind'>;
    bytesBehind: Gauge;
  };
}

export function createAgentMetrics(cluster: string, backend: string, version: string): AgentMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ cluster });
  const info = new Gauge({ name: 'flotilla_agent_info', help: 'Agent version and backend; always 1.', labelNames: ['version', 'backend'], registers: [registry] });
  info.set({ version, backend }, 1);
  return {
    registry,
    reportsWritten: new Counter({ name: 'flotilla_agent_reports_written_total', help: 'Status reports written to the store.', registers: [registry] }),
    reportFailures: new Counter({ name: 'flotilla_agent_report_failures_total', help: 'Report attempts that did not reach the store (store error, backend error or invalid report).', registers: [registry] }),
    storeErrors: new Counter({ name: 'flotilla_agent_store_errors_total', help: 'Failed store operations, by operation.', labelNames: ['op'], registers: [registry] }),
    lastReportTimestamp: new Gauge({ name: 'flotilla_agent_last_report_timestamp_seconds', help: 'Unix time of the last status report written.', registers: [registry] }),
    statusSeq: new Gauge({ name: 'flotilla_agent_status_seq', help: 'Sequence number of the last status report written.', registers: [registry] }),
    jobsFinished: new Counter({ name: 'flotilla_agent_jobs_finished_total', help: 'Jobs finished (a signed result written), by type and result state.', labelNames: ['type', 'state'], registers: [registry] }),
    jobRejections: new Counter({ name: 'flotilla_agent_job_envelopes_refused_total', help: 'Job envelopes refused without consuming a seq (forged, corrupt, transplanted, replayed), by reason.', labelNames: ['reason'], registers: [registry] }),
    lastJobSeq: new Gauge({ name: 'flotilla_agent_last_job_seq', help: 'Highest job seq finished.', registers: [registry] }),
    storeRequests: new Counter({ name: 'flotilla_agent_store_requests_total', help: 'Store operations asked, by operation (get, put, head, list, delete) and key area (status, jobs, results, …).', labelNames: ['op', 'area'], registers: [registry] }),
    logs: {
      linesRead: new Counter({ name: 'flotilla_agent_log_lines_read_total', help: 'Log records read from the inputs (a line, or a part of an over-long line).', registers: [registry] }),
      linesShipped: new Counter({ name: 'flotilla_agent_log_lines_shipped_total', help: 'Log records the next hop acked.', registers: [registry] }),
      droppedLines: new Counter({ name: 'flotilla_agent_log_dropped_lines_total', help: 'Log lines that went beyond reach (rotated or deleted away) before they were shipped.', registers: [registry] }),
      droppedBytes: new Counter({ name: 'flotilla_agent_log_dropped_bytes_total', help: 'Bytes of log data that went beyond reach before they were shipped.', registers: [registry] }),
      shipErrors: new Counter({ name: 'flotilla_agent_log_ship_errors_total', help: 'Failed log batch ship attempts, by kind: retry (next hop away or busy) or refused (it rejected the batch).', labelNames: ['kind'], registers: [registry] }),
      bytesBehind: new Gauge({ name: 'flotilla_agent_log_bytes_behind', help: 'Bytes in the tailed sources past the committed checkpoints.', registers: [registry] }),
    },
  };
}

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

export const CLUSTER_METRICS_PATH = '/metrics/cluster';

/** What renders the cluster's series: the sim backend; null on a backend whose cluster has its own exporters. */
export interface ClusterSeriesSource {
  clusterMetrics(): string;
}

export const NO_CLUSTER_SERIES =
  'not found: this agent runs the kube backend, and its cluster has exporters of its own: the edge Prometheus scrapes kube-state-metrics and the kubelets\' cAdvisor through kubernetes_sd_configs. ' +
  `Only an agent on the sim backend serves ${CLUSTER_METRICS_PATH}; the agent's own series are at /metrics.\n`;

export async function serveMetrics(registry: Registry, port: number, host = '127.0.0.1', cluster: ClusterSeriesSource | null = null): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === CLUSTER_METRICS_PATH) {
      if (!cluster) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(NO_CLUSTER_SERIES);
        return;
      }
      try {
        const text = cluster.clusterMetrics();
        res.writeHead(200, { 'content-type': EXPOSITION_CONTENT_TYPE }).end(text);
      } catch (e) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`cluster metrics failed: ${(e as Error).message}\n`);
      }
      return;
    }
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: try /metrics${cluster ? ` or ${CLUSTER_METRICS_PATH}` : ''}\n`);
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (e: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${(e as Error).message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new FlotillaError('config', `cannot serve agent metrics on ${host}:${port}: ${e.code ?? e.message}`, 'Set agent.metricsPort to a free port, or remove it to disable /metrics.', { cause: e })),
    );
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
