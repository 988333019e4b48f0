// The harness's TCP proxy (test/harness/tcp-proxy.ts) in a process of its own, for the RabbitMQ
// chain benchmark: the edge shovel's traffic to the center goes through it, so its CPU is sampled on
// its own and it does not share a thread with the benchmark's writer, searcher or raw clients.
// `startProxyProcess()` spawns this file (with the tsx loader the benchmark runs under) and drives
// it over IPC; run as the child, it starts the proxy and obeys cut, restore, reset, stats and close.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startTcpProxy, type TcpProxy } from '../harness/tcp-proxy.js';

type Op = 'cut' | 'restore' | 'reset' | 'stats' | 'close';
type Stats = ReturnType<TcpProxy['stats']>;
interface Request {
  id: number;
  op: Op | 'start';
  port?: number;
}
interface Reply {
  id: number;
  error?: string;
  host?: string;
  port?: number;
  stats?: Stats;
}

export interface ProxyProcess {
  readonly pid: number;
  readonly host: string;
  readonly port: number;
  cut(): Promise<void>;
  restore(): Promise<void>;
  reset(): Promise<void>;
  stats(): Promise<Stats>;
  /** Closes the proxy (every connection reset) and ends the process. */
  close(): Promise<void>;
}

export async function startProxyProcess(target: { port: number }): Promise<ProxyProcess> {
  const child: ChildProcess = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, FLOTILLA_BENCH_PROXY_CHILD: '1' } });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let next = 0;
  const waiting = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  child.on('message', (m: Reply) => {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.error) w?.reject(new Error(`proxy process: ${m.error}`));
    else w?.resolve(m);
  });
  void exited.then(() => {
    for (const w of waiting.values()) w.reject(new Error('the proxy process exited'));
    waiting.clear();
  });
  const call = (op: Request['op'], extra: Partial<Request> = {}) =>
    new Promise<Reply>((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      child.send({ id, op, ...extra } satisfies Request);
    });
  let started: Reply;
  try {
    started = await call('start', { port: target.port });
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return {
    pid: child.pid!,
    host: started.host!,
    port: started.port!,
    async cut() {
      await call('cut');
    },
    async restore() {
      await call('restore');
    },
    async reset() {
      await call('reset');
    },
    async stats() {
      return (await call('stats')).stats!;
    },
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        await call('close').catch(() => undefined);
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

async function serve(): Promise<void> {
  let proxy: TcpProxy | undefined;
  const reply = (r: Reply) => process.send?.(r);
  process.on('message', (m: Request) => {
    void (async () => {
      try {
        if (m.op === 'start') {
          proxy = await startTcpProxy({ port: m.port! });
          return reply({ id: m.id, host: proxy.host, port: proxy.port });
        }
        if (!proxy) throw new Error('not started');
        if (m.op === 'close') {
          await proxy.close();
          reply({ id: m.id });
          process.disconnect();
          return;
        }
        if (m.op === 'stats') return reply({ id: m.id, stats: proxy.stats() });
        proxy[m.op]();
        reply({ id: m.id });
      } catch (e) {
        reply({ id: m.id, error: (e as Error).message });
      }
    })();
  });
  // The benchmark gone (its IPC channel closed): nothing more to proxy for.
  process.on('disconnect', () => {
    void proxy?.close().finally(() => process.exit(0));
    if (!proxy) process.exit(0);
  });
}

if (process.env.FLOTILLA_BENCH_PROXY_CHILD === '1' && process.send) void serve();
