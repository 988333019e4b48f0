/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- JSON bodies and frames are checked by assertions, not by types */
// Starts a real daemon in-process on a free port with a fresh data directory, plus REST and WS helpers.
import { join } from 'node:path';
import WebSocket from 'ws';
import { loadDaemonConfig } from '../../../config/daemon.js';
import type { AgentConfig, DaemonConfig } from '../../../config/schemas.js';
import { silentLogger } from '../../../core/log.js';
import { DirStore } from '../../../core/store/dir.js';
import { initControlPlane } from '../../../daemon/init.js';
import { startDaemon, type DaemonHandle } from '../../../daemon/main.js';
import { waitUntil } from '../../harness/proc.js';
import { tempDir } from '../../harness/tmp.js';

export interface Fixture {
  daemon: DaemonHandle;
  config: DaemonConfig;
  store: DirStore;
  adminToken: string;
  api(method: string, path: string, opts?: { token?: string | null; body?: unknown }): Promise<{ status: number; body: any }>;
  addCluster(name: string, extra?: Record<string, unknown>): Promise<AgentConfig>;
}

export async function startFixture(flags: Record<string, unknown> = {}): Promise<Fixture> {
  const dir = tempDir('flotilla-daemon-');
  const init = await initControlPlane({ dataDir: dir, port: 0 });
  const config = loadDaemonConfig(init.configPath, { 'store.pollIntervalMs': 50, ...flags }, {});
  const daemon = await startDaemon(config, { logger: silentLogger() });
  const store = new DirStore(join(dir, 'store'));
  const api: Fixture['api'] = async (method, path, opts = {}) => {
    const token = opts.token === undefined ? init.token : opts.token;
    const res = await fetch(`${daemon.url}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
      ...(opts.body === undefined ? {} : { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  return {
    daemon,
    config,
    store,
    adminToken: init.token,
    api,
    async addCluster(name, extra = {}) {
      const r = await api('POST', '/api/v1/clusters', { body: { name, ...extra } });
      if (r.status !== 201) throw new Error(`cluster add ${name}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.bundle as AgentConfig;
    },
  };
}

/** A WS client that records every frame it receives. */
export interface WsClient {
  ws: WebSocket;
  frames: any[];
  send(frame: unknown): void;
  waitFrame(pred: (f: any) => boolean, what?: string): Promise<any>;
  closed: Promise<{ code: number; reason: string }>;
}

export function connectWs(url: string, token: string | null, headers: Record<string, string> = {}): Promise<WsClient> {
  const ws = new WebSocket(url.replace(/^http/, 'ws') + '/ws', { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
  const frames: any[] = [];
  ws.on('message', (d) => frames.push(JSON.parse((d as Buffer).toString('utf8'))));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => reject(new Error(`status ${res.statusCode}`)));
    ws.once('error', reject);
    ws.once('open', () =>
      resolve({
        ws,
        frames,
        closed,
        send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
        waitFrame: (pred, what = 'frame') => waitUntil(() => frames.find(pred), { timeoutMs: 15_000, intervalMs: 20, what }),
      }),
    );
  });
}
