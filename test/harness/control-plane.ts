// A control plane as an operator starts one: `flotilla init`, then `flotilla daemon` as its own
// process, with HOME and the XDG directories in a temp dir so no test sees the user's config.
import { join } from 'node:path';
import { runCli, startCli, type Proc } from './proc.js';
import { tempDir } from './tmp.js';

/** Environment for CLI processes that reads and writes nothing outside a fresh temp home. */
export function isolatedEnv(): NodeJS.ProcessEnv {
  const home = tempDir('flotilla-cli-home-');
  return { HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_DATA_HOME: join(home, 'data'), XDG_STATE_HOME: join(home, 'state'), FLOTILLA_TOKEN: '', FLOTILLA_SERVER: '', FLOTILLA_CONFIG: '' };
}

/** `flotilla init --data DIR --port 0 --json`; returns the admin token and the config path. */
export async function initControlPlane(dataDir: string, env: NodeJS.ProcessEnv): Promise<{ token: string; configPath: string }> {
  const init = await runCli(['init', '--data', dataDir, '--port', '0', '--json'], { env });
  if (init.code !== 0) throw new Error(`flotilla init exited ${String(init.code)}: ${init.stderr}`);
  return { token: (JSON.parse(init.stdout) as { token: string }).token, configPath: join(dataDir, 'daemon.yaml') };
}

/** Starts `flotilla daemon` and waits for the URL it listens on. */
export async function startDaemonProcess(configPath: string, env: NodeJS.ProcessEnv, timeoutMs = 20_000): Promise<{ daemon: Proc; url: string }> {
  const daemon = startCli(['daemon', '--config', configPath], { env });
  const [, url] = await daemon.waitFor(/listening on (\S+)/, timeoutMs, 'stderr');
  return { daemon, url: url as string };
}

/** init + daemon, and the client environment (FLOTILLA_SERVER, FLOTILLA_TOKEN) pointing at it. */
export async function startControlPlane(dataDir: string, env: NodeJS.ProcessEnv = isolatedEnv()): Promise<{ daemon: Proc; url: string; token: string; env: NodeJS.ProcessEnv }> {
  const { token, configPath } = await initControlPlane(dataDir, env);
  const { daemon, url } = await startDaemonProcess(configPath, env);
  return { daemon, url, token, env: { ...env, FLOTILLA_SERVER: url, FLOTILLA_TOKEN: token } };
}
