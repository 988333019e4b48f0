// What a simulated container says: HTTP access logs for ingress and web front ends, JSON application
// logs with levels and nested fields, logfmt for the monitoring stack, klog lines for kube-system, and
// the error bursts a fault causes (crashes, OOM kills, refused connections, timeouts, stack traces).
// Pure: every choice comes from `rng`, so a seed replays the same text.
import type { LogStream } from './log-cri.js';
import type { Rng } from './rng.js';
import type { SimWorkload } from './state.js';

export type LogStyle = 'access' | 'json' | 'logfmt' | 'klog';

/** Why a container is logging errors: its own fault, or a fault near it. */
export type IncidentKind = 'crash' | 'oom' | 'upstream' | 'node-down' | 'capacity' | 'drain';

export interface Incident {
  kind: IncidentKind;
  /** What the incident is about: the failing pod, workload or node. */
  subject: string;
}

export interface LogSource {
  namespace: string;
  pod: string;
  container: string;
  workload: string;
  style: LogStyle;
}

/** One runtime entry: a line of the container's output, without its newline. */
export interface Entry {
  stream: LogStream;
  text: string;
}

export function styleOf(w: Pick<SimWorkload, 'namespace' | 'name'>): LogStyle {
  if (w.namespace === 'kube-system') return 'klog';
  if (w.namespace === 'ingress-nginx' || /(^|-)(web|gateway|ingress)(-|$)/.test(w.name)) return 'access';
  if (w.namespace === 'monitoring') return 'logfmt';
  return 'json';
}

const HEX = '0123456789abcdef';
function hex(rng: Rng, length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += HEX[rng.int(0, 15)] as string;
  return out;
}

function podIp(rng: Rng): string {
  return `10.42.${rng.int(0, 15)}.${rng.int(2, 254)}`;
}

function serviceIp(rng: Rng): string {
  return `10.96.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

function nodeIp(node: string): string {
  const n = /(\d+)$/.exec(node);
  return `10.0.0.${n ? Number(n[1]) + 10 : 10}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** nginx $time_local in UTC: `06/Oct/2026:00:17:09 +0000`. */
function timeLocal(ms: number): string {
  const d = new Date(ms);
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()] as string}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

/** nginx error-log time: `2026/10/06 00:17:09`. */
function errorLogTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

/** klog header: `E1201 10:00:00.123456       1 file.go:42] `. */
function klogHeader(severity: 'I' | 'W' | 'E' | 'F', ms: number, file: string, rng: Rng): string {
  const d = new Date(ms);
  const micros = String(d.getUTCMilliseconds() * 1000 + rng.int(0, 999)).padStart(6, '0');
  return `${severity}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}.${micros} ${String(1).padStart(7, ' ')} ${file}:${rng.int(40, 900)}] `;
}

const ROUTES: Record<string, readonly string[]> = {
  payments: ['/v1/payments', '/v1/payments/{id}', '/v1/refunds', '/v1/ledger/entries', '/v1/risk/score'],
  checkout: ['/v1/cart', '/v1/cart/items', '/v1/checkout', '/v1/prices', '/v1/orders/{id}'],
  identity: ['/v1/login', '/v1/token', '/v1/sessions/{id}', '/v1/userinfo'],
  search: ['/v1/search', '/v1/suggest', '/v1/index/batch'],
};
const DEFAULT_ROUTES = ['/v1/items', '/v1/items/{id}', '/v1/status'];
const METHODS = ['GET', 'GET', 'GET', 'GET', 'POST', 'POST', 'PUT', 'DELETE'];
const AGENTS = [
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'curl/8.5.0',
  'okhttp/4.12.0',
  'kube-probe/1.31',
];

const INGRESS_BACKENDS = ['checkout', 'payments', 'identity', 'search'];

function route(src: LogSource, rng: Rng, namespace = src.namespace): string {
  const template = rng.pick(ROUTES[namespace] ?? DEFAULT_ROUTES);
  return template.replace('{id}', String(rng.int(1000, 99_999)));
}

function normalStatus(rng: Rng): number {
  const r = rng.next();
  if (r < 0.86) return 200;
  if (r < 0.9) return 201;
  if (r < 0.93) return 304;
  if (r < 0.97) return 404;
  if (r < 0.99) return 401;
  return 500;
}

// --- access logs (ingress-nginx's log format: combined plus lengths, times and the upstream) ---

/** An ingress controller fronts the other namespaces' services; a web front end serves its own routes. */
function accessLine(src: LogSource, ms: number, rng: Rng, status: number, failing?: string): string {
  const method = rng.pick(METHODS);
  const ingress = src.namespace === 'ingress-nginx';
  const backend = ingress ? rng.pick(INGRESS_BACKENDS) : src.namespace;
  const path = route(src, rng, backend);
  const failed = status >= 500;
  const seconds = failed && status === 504 ? 60 + rng.next() : rng.next() * (failed ? 5 : 0.25);
  const bytes = status === 304 ? 0 : failed ? rng.int(150, 200) : rng.int(200, 48_000);
  const upstream = failing ? `${backend}-${failing}-80` : ingress ? `${backend}-${backend}-api-80` : `${src.namespace}-${src.workload}-80`;
  const upstreamAddr = `${podIp(rng)}:8080`;
  return `${podIp(rng)} - - [${timeLocal(ms)}] "${method} ${path} HTTP/1.1" ${status} ${bytes} "-" "${rng.pick(AGENTS)}" ${rng.int(300, 1200)} ${seconds.toFixed(3)} [${upstream}] [] ${upstreamAddr} ${bytes} ${seconds.toFixed(3)} ${status} ${hex(rng, 32)}`;
}

function nginxError(ms: number, rng: Rng, problem: string, upstreamHost: string): string {
  const path = rng.pick(DEFAULT_ROUTES);
  return `${errorLogTime(ms)} [error] ${rng.int(20, 40)}#${rng.int(20, 40)}: *${rng.int(1000, 999_999)} ${problem}, client: ${podIp(rng)}, server: _, request: "GET ${path} HTTP/1.1", upstream: "http://${podIp(rng)}:8080${path}", host: "${upstreamHost}.example.com"`;
}

function accessNormal(src: LogSource, ms: number, rng: Rng): Entry[] {
  return [{ stream: 'stdout', text: accessLine(src, ms, rng, normalStatus(rng)) }];
}

function accessIncident(src: LogSource, incident: Incident, ms: number, rng: Rng): Entry[] {
  switch (incident.kind) {
    case 'crash':
      return [
        { stream: 'stderr', text: `${errorLogTime(ms)} [emerg] 1#1: host not found in upstream "${src.workload}-backend:8080" in /etc/nginx/nginx.conf:${rng.int(40, 200)}` },
        { stream: 'stderr', text: `nginx: [emerg] host not found in upstream "${src.workload}-backend:8080" in /etc/nginx/nginx.conf:${rng.int(40, 200)}` },
      ];
    case 'oom':
      return [{ stream: 'stderr', text: `${errorLogTime(ms)} [alert] 1#1: worker process ${rng.int(20, 90)} exited on signal 9 (out of memory)` }];
    default: {
      const timeout = rng.chance(0.5);
      const problem = timeout ? 'upstream timed out (110: Operation timed out) while reading response header from upstream' : 'connect() failed (111: Connection refused) while connecting to upstream';
      return [
        { stream: 'stderr', text: nginxError(ms, rng, problem, incident.subject) },
        { stream: 'stdout', text: accessLine(src, ms, rng, timeout ? 504 : rng.pick([502, 503]), incident.subject) },
      ];
    }
  }
}

function accessStartup(src: LogSource, ms: number, rng: Rng): Entry[] {
  return [
    { stream: 'stderr', text: `${klogHeader('I', ms, 'main.go', rng)}"Starting ${src.container}" version="v1.11.3" build="git-${hex(rng, 7)}"` },
    { stream: 'stderr', text: `${klogHeader('I', ms, 'main.go', rng)}"Creating API client" host="https://10.96.0.1:443"` },
    { stream: 'stderr', text: `${klogHeader('I', ms, 'nginx.go', rng)}"Starting NGINX process"` },
  ];
}

// --- JSON application logs ---

type Level = 'debug' | 'info' | 'warn' | 'error' | 'fatal';

function jsonLine(src: LogSource, ms: number, level: Level, msg: string, extra: Record<string, unknown>): string {
  return JSON.stringify({ time: new Date(ms).toISOString(), level, msg, service: src.workload, pod: src.pod, ...extra });
}

function request(src: LogSource, rng: Rng, status: number, durationMs: number): Record<string, unknown> {
  return {
    trace_id: hex(rng, 32),
    http: { method: rng.pick(METHODS), route: route(src, rng), status, duration_ms: durationMs },
    user: { id: String(rng.int(1, 5000)) },
  };
}

const ERRORS = [
  (rng: Rng) => `connect ECONNREFUSED ${serviceIp(rng)}:5432`,
  (rng: Rng) => `timeout of ${rng.pick([2000, 5000, 10000])}ms exceeded`,
  () => 'socket hang up',
  (rng: Rng) => `getaddrinfo ENOTFOUND db-${rng.int(0, 2)}.internal`,
];

function nodeStack(err: string, rng: Rng): Entry[] {
  return [
    `Error: ${err}`,
    `    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:${rng.int(1500, 1700)}:16)`,
    `    at Pool.connect (/app/node_modules/pg-pool/index.js:${rng.int(40, 60)}:11)`,
    `    at async Repository.find (/app/dist/repository.js:${rng.int(20, 200)}:20)`,
    `    at async Handler.handle (/app/dist/handler.js:${rng.int(20, 200)}:17)`,
  ].map((text) => ({ stream: 'stderr' as const, text }));
}

function goPanic(src: LogSource, rng: Rng): Entry[] {
  return [
    'panic: runtime error: invalid memory address or nil pointer dereference',
    `[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x${hex(rng, 6)}]`,
    'goroutine 1 [running]:',
    `main.(*Server).handle(0x0, {0x${hex(rng, 6)}, 0xc000${hex(rng, 6)}})`,
    `\t/src/${src.container}/server.go:${rng.int(50, 400)} +0x${hex(rng, 2)}`,
    'main.main()',
    `\t/src/${src.container}/main.go:${rng.int(20, 90)} +0x${hex(rng, 3)}`,
  ].map((text) => ({ stream: 'stderr' as const, text }));
}

/** A request body too big to log in one runtime entry, so the runtime writes partials. */
function oversized(src: LogSource, ms: number, rng: Rng): Entry {
  const body = rng.token(rng.int(17_000, 40_000));
  return { stream: 'stdout', text: jsonLine(src, ms, 'warn', 'request body logged for inspection', { ...request(src, rng, 413, rng.int(1, 20)), body }) };
}

function jsonNormal(src: LogSource, ms: number, rng: Rng): Entry[] {
  if (rng.chance(0.003)) return [oversized(src, ms, rng)];
  const r = rng.next();
  if (r < 0.08) return [{ stream: 'stdout', text: jsonLine(src, ms, 'debug', rng.pick(['cache hit', 'cache miss', 'connection reused']), { trace_id: hex(rng, 32), key: `${src.workload}:${rng.int(1, 9999)}` }) }];
  if (r < 0.88) {
    const status = normalStatus(rng);
    return [{ stream: 'stdout', text: jsonLine(src, ms, status >= 500 ? 'error' : 'info', 'request handled', request(src, rng, status, rng.int(1, 250))) }];
  }
  if (r < 0.97) {
    return [{ stream: 'stdout', text: jsonLine(src, ms, 'warn', rng.pick(['slow request', 'retrying request to dependency']), { ...request(src, rng, 200, rng.int(1000, 4000)), attempt: rng.int(1, 3) }) }];
  }
  const err = rng.pick(ERRORS)(rng);
  const line: Entry = { stream: 'stderr', text: jsonLine(src, ms, 'error', 'request failed', { ...request(src, rng, 500, rng.int(5, 900)), error: err }) };
  return rng.chance(0.4) ? [line, ...nodeStack(err, rng)] : [line];
}

function jsonIncident(src: LogSource, incident: Incident, ms: number, rng: Rng): Entry[] {
  switch (incident.kind) {
    case 'crash': {
      const err = `dial tcp ${serviceIp(rng)}:5432: connect: connection refused`;
      const fatal: Entry = { stream: 'stderr', text: jsonLine(src, ms, 'fatal', 'cannot start: database unreachable', { error: err, attempt: rng.int(1, 5) }) };
      if (rng.chance(0.3)) return [fatal, ...goPanic(src, rng)];
      return [{ stream: 'stderr', text: jsonLine(src, ms, 'error', 'database connection failed', { error: err, trace_id: hex(rng, 32) }) }, fatal];
    }
    case 'oom': {
      if (rng.chance(0.6)) {
        return [{ stream: 'stderr', text: jsonLine(src, ms, 'error', 'heap usage above limit', { heap_used_bytes: rng.int(900, 1024) * 1024 * 1024, limit_bytes: 1024 * 1024 * 1024 }) }];
      }
      return [
        { stream: 'stderr', text: 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory' },
        { stream: 'stderr', text: ` 1: 0x${hex(rng, 6)} node::Abort() [node]` },
        { stream: 'stderr', text: ` 2: 0x${hex(rng, 6)} node::OOMErrorHandler(char const*, v8::OOMDetails const&) [node]` },
        { stream: 'stderr', text: ` 3: 0x${hex(rng, 6)} v8::internal::Heap::CollectGarbage() [node]` },
      ];
    }
    case 'upstream': {
      const err = rng.chance(0.5) ? `dial tcp ${podIp(rng)}:8080: connect: connection refused` : 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)';
      return [{ stream: 'stderr', text: jsonLine(src, ms, 'error', `call to ${incident.subject} failed`, { ...request(src, rng, err.startsWith('dial') ? 503 : 504, rng.int(50, 30_000)), error: err, peer: incident.subject }) }];
    }
    case 'node-down':
      return [{ stream: 'stderr', text: jsonLine(src, ms, 'error', 'replica unreachable', { node: incident.subject, error: `dial tcp ${nodeIp(incident.subject)}:8080: i/o timeout` }) }];
    case 'capacity':
      return [{ stream: 'stdout', text: jsonLine(src, ms, rng.chance(0.5) ? 'error' : 'warn', 'request queue saturated, shedding load', { ...request(src, rng, 503, rng.int(1, 10)), queue_depth: rng.int(500, 5000), waiting_for: incident.subject }) }];
    case 'drain':
      return [{ stream: 'stdout', text: jsonLine(src, ms, 'warn', 'peer going away', { node: incident.subject, reason: 'node drained' }) }];
  }
}

function jsonStartup(src: LogSource, ms: number, rng: Rng): Entry[] {
  return [
    { stream: 'stdout', text: jsonLine(src, ms, 'info', `starting ${src.container}`, { version: '1.0.0', commit: hex(rng, 7) }) },
    { stream: 'stdout', text: jsonLine(src, ms, 'info', 'connected to database', { host: `${serviceIp(rng)}:5432`, pool_size: rng.pick([5, 10, 20]) }) },
    { stream: 'stdout', text: jsonLine(src, ms, 'info', 'listening', { addr: '0.0.0.0:8080' }) },
  ];
}

// --- logfmt (Prometheus, Alertmanager, Grafana) ---

function logfmt(ms: number, level: string, caller: string, component: string, msg: string, extra = ''): string {
  return `ts=${new Date(ms).toISOString()} caller=${caller} level=${level} component="${component}" msg="${msg}"${extra ? ` ${extra}` : ''}`;
}

function logfmtNormal(_src: LogSource, ms: number, rng: Rng): Entry[] {
  const r = rng.next();
  if (r < 0.85) {
    const pick = rng.int(0, 2);
    if (pick === 0) return [{ stream: 'stderr', text: logfmt(ms, 'info', `head.go:${rng.int(600, 1400)}`, 'tsdb', 'Head GC completed', `duration=${(rng.next() * 9 + 1).toFixed(2)}ms`) }];
    if (pick === 1) return [{ stream: 'stderr', text: logfmt(ms, 'info', `compact.go:${rng.int(400, 800)}`, 'tsdb', 'write block', `mint=${ms - 7_200_000} maxt=${ms} ulid=01J${rng.token(23).toUpperCase()}`) }];
    return [{ stream: 'stderr', text: logfmt(ms, 'debug', `scrape.go:${rng.int(1200, 1600)}`, 'scrape manager', 'Scrape pool synced', `targets=${rng.int(10, 400)}`) }];
  }
  return [{ stream: 'stderr', text: logfmt(ms, 'warn', `scrape.go:${rng.int(1200, 1600)}`, 'scrape manager', 'Scrape failed', `target=http://${podIp(rng)}:8080/metrics err="context deadline exceeded"`) }];
}

function logfmtIncident(_src: LogSource, incident: Incident, ms: number, rng: Rng): Entry[] {
  switch (incident.kind) {
    case 'crash':
      return [
        { stream: 'stderr', text: logfmt(ms, 'error', `main.go:${rng.int(500, 1200)}`, 'tsdb', 'Opening storage failed', `err="open /prometheus/wal: lock held by another process: connection refused by lock service"`) },
        { stream: 'stderr', text: logfmt(ms, 'error', `main.go:${rng.int(500, 1200)}`, 'main', 'Fatal error', 'err="opening storage failed"') },
      ];
    case 'oom':
      return [{ stream: 'stderr', text: logfmt(ms, 'error', `head.go:${rng.int(600, 1400)}`, 'tsdb', 'out of memory replaying WAL', `segment=${rng.int(100, 900)} err="cannot allocate memory"`) }];
    case 'node-down':
      return [{ stream: 'stderr', text: logfmt(ms, 'error', `scrape.go:${rng.int(1200, 1600)}`, 'scrape manager', 'Scrape failed', `target=https://${nodeIp(incident.subject)}:10250/metrics/cadvisor node=${incident.subject} err="dial tcp ${nodeIp(incident.subject)}:10250: connect: connection refused"`) }];
    default:
      return [{ stream: 'stderr', text: logfmt(ms, 'error', `notifier.go:${rng.int(500, 700)}`, 'notifier', 'Error sending alert', `subject=${incident.subject} err="Post \\"http://alertmanager:9093/api/v2/alerts\\": context deadline exceeded (timeout)"`) }];
  }
}

function logfmtStartup(src: LogSource, ms: number, rng: Rng): Entry[] {
  return [
    { stream: 'stderr', text: logfmt(ms, 'info', `main.go:${rng.int(500, 700)}`, 'main', `Starting ${src.container}`, 'version="(version=2.53.1, branch=HEAD)"') },
    { stream: 'stderr', text: logfmt(ms, 'info', `main.go:${rng.int(1000, 1300)}`, 'main', 'Server is ready to receive web requests.') },
  ];
}

// --- klog (kube-system) ---

function klogNormal(_src: LogSource, ms: number, rng: Rng): Entry[] {
  const r = rng.next();
  if (r < 0.9) {
    const text = rng.pick([
      `"Caches populated" type="*v1.Pod" reflector="k8s.io/client-go/informers/factory.go:160"`,
      `"Scraping metrics from nodes" nodeCount=${rng.int(3, 40)}`,
      `"Watch close" type="*v1.Endpoints" totalItems=${rng.int(5, 400)}`,
      `"Lease renewed" lease="kube-system/${rng.pick(['coredns', 'metrics-server'])}"`,
    ]);
    return [{ stream: 'stderr', text: `${klogHeader('I', ms, rng.pick(['reflector.go', 'scraper.go', 'server.go']), rng)}${text}` }];
  }
  return [{ stream: 'stderr', text: `${klogHeader('W', ms, 'reflector.go', rng)}"Failed to watch, retrying" err="context deadline exceeded"` }];
}

function klogIncident(src: LogSource, incident: Incident, ms: number, rng: Rng): Entry[] {
  switch (incident.kind) {
    case 'crash':
      return [
        { stream: 'stderr', text: `${klogHeader('E', ms, 'server.go', rng)}"Unable to connect to the server" err="dial tcp 10.96.0.1:443: connect: connection refused"` },
        { stream: 'stderr', text: `${klogHeader('F', ms, 'main.go', rng)}"Failed to start ${src.container}" err="timed out waiting for caches to sync"` },
      ];
    case 'oom':
      return [{ stream: 'stderr', text: `${klogHeader('E', ms, 'server.go', rng)}"Memory usage above limit, stopping" err="out of memory"` }];
    case 'node-down':
      return [{ stream: 'stderr', text: `${klogHeader('E', ms, 'scraper.go', rng)}"Failed to scrape node" err="Get \\"https://${nodeIp(incident.subject)}:10250/metrics/resource\\": dial tcp ${nodeIp(incident.subject)}:10250: connect: connection refused" node="${incident.subject}"` }];
    case 'drain':
      return [{ stream: 'stderr', text: `${klogHeader('W', ms, 'node_controller.go', rng)}"Node is unschedulable, its pods are being evicted" node="${incident.subject}"` }];
    default:
      return [{ stream: 'stderr', text: `${klogHeader('E', ms, 'endpoints.go', rng)}"Endpoints not ready" service="${incident.subject}" err="timeout waiting for ready endpoints"` }];
  }
}

function klogStartup(src: LogSource, ms: number, rng: Rng): Entry[] {
  return [
    { stream: 'stderr', text: `${klogHeader('I', ms, 'main.go', rng)}"Starting ${src.container}" version="v0.7.2"` },
    { stream: 'stderr', text: `${klogHeader('I', ms, 'secure_serving.go', rng)}"Serving securely on [::]:10250"` },
  ];
}

const STYLES: Record<LogStyle, { normal: (s: LogSource, ms: number, r: Rng) => Entry[]; incident: (s: LogSource, i: Incident, ms: number, r: Rng) => Entry[]; startup: (s: LogSource, ms: number, r: Rng) => Entry[] }> = {
  access: { normal: accessNormal, incident: accessIncident, startup: accessStartup },
  json: { normal: jsonNormal, incident: jsonIncident, startup: jsonStartup },
  logfmt: { normal: logfmtNormal, incident: logfmtIncident, startup: logfmtStartup },
  klog: { normal: klogNormal, incident: klogIncident, startup: klogStartup },
};

/** An ordinary line (or a few: an error with its stack trace) of the container's everyday output. */
export function normalEntries(src: LogSource, ms: number, rng: Rng): Entry[] {
  return STYLES[src.style].normal(src, ms, rng);
}

/** What the container logs because of a fault: errors on stderr, mostly. */
export function incidentEntries(src: LogSource, incident: Incident, ms: number, rng: Rng): Entry[] {
  return STYLES[src.style].incident(src, incident, ms, rng);
}

/** The first lines of a freshly started container (a new pod, or a restart). */
export function startupEntries(src: LogSource, ms: number, rng: Rng): Entry[] {
  return STYLES[src.style].startup(src, ms, rng);
}
