// XDG base directories (DESIGN.md §3.2). Resolved once per call from the environment so tests can
// point them at temporary directories.
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface FlotillaPaths {
  configDir: string;
  dataDir: string;
  stateDir: string;
  clientConfig: string;
  tuiLog: string;
}

export function flotillaPaths(env: NodeJS.ProcessEnv = process.env): FlotillaPaths {
  const home = env.HOME ?? homedir();
  const configHome = env.XDG_CONFIG_HOME || join(home, '.config');
  const dataHome = env.XDG_DATA_HOME || join(home, '.local', 'share');
  const stateHome = env.XDG_STATE_HOME || join(home, '.local', 'state');
  const configDir = join(configHome, 'flotilla');
  const stateDir = join(stateHome, 'flotilla');
  return {
    configDir,
    dataDir: join(dataHome, 'flotilla'),
    stateDir,
    clientConfig: join(configDir, 'config.yaml'),
    tuiLog: join(stateDir, 'tui.log'),
  };
}
