// Jobs benchmark helpers on the daemon side: a daemon process from dist/ on a fresh `flotilla init`
// data directory, and a small REST client with its admin token.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { initControlPlane } from '../../daemon/init.js';
import { CLI } from '../harness/proc.js';

export interface DaemonProcess {
  child: ChildProcess;
  url: string;
  token: string;
  configPath: string;
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
}

export async function startDaemonProcess(dataDir: string): Promise<DaemonProcess> {
  const init = await initControlPlane({ dataDir, port: 0 });
  const child = spawn(process.execPath, [CLI, 'daemon', '--config', init.configPath], {
    env: { ...process.env, FLOTILLA_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stderr });
    const timer = setTimeout(() => reject(new Error('the daemon did not start listening within 20 s')), 20_000);
    rl.on('line', (line) => {
      const m = /listening on (\S+)/.exec(line);
      if (m?.[1]) {
        clearTimeout(timer);
        rl.close();
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`the daemon exited with ${code}`)));
  });
  const headers = { authorization: `Bearer ${init.token}`, 'content-type': 'application/json' };
  return {
    child,
    url,
    token: init.token,
    configPath: init.configPath,
    async api(method, path, body) {
      const res = await fetch(`${url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      return { status: res.status, body: await res.json() };
    },
  };
}
