// Where the CLI and TUI find the daemon and their token: flag, then FLOTILLA_* environment, then the
// client config file ($XDG_CONFIG_HOME/flotilla/config.yaml), then the loopback default.
import { existsSync, readFileSync } from 'node:fs';
import { loadConfigFile } from '../config/load.js';
import { flotillaPaths } from '../config/paths.js';
import { ClientConfigSchema, type ClientConfig } from '../config/schemas.js';
import { FlotillaError } from '../core/errors.js';

export const DEFAULT_SERVER = 'http://127.0.0.1:7420';

export type Source = 'flag' | 'env' | 'config' | 'default';

export interface ClientFlags {
  server?: string | undefined;
  token?: string | undefined;
}

export interface ResolvedClient {
  server: string;
  serverSource: Source;
  token: string | null;
  tokenSource: Exclude<Source, 'default'> | null;
  caFile: string | null;
  configFile: string;
}

export const NO_TOKEN_NEXT = 'sign in with `flotilla login`, or pass --token or set FLOTILLA_TOKEN (an admin creates one with `flotilla token create`)';

export function normalizeServer(text: string, source: Source): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new FlotillaError('usage', `server "${text}" (from ${source}) is not a URL`, 'Give the daemon URL like http://127.0.0.1:7420 via --server, FLOTILLA_SERVER or the client config.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FlotillaError('usage', `server "${text}" (from ${source}) is not an http(s) URL`, 'Give the daemon URL like http://127.0.0.1:7420.');
  }
  return text.replace(/\/+$/, '');
}

function readClientConfig(file: string): ClientConfig {
  if (!existsSync(file)) return {};
  return loadConfigFile({ file, schema: ClientConfigSchema, pathKeys: ['tokenFile', 'caFile'] });
}

function readTokenFile(path: string, configFile: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new FlotillaError('config', `${configFile}: tokenFile: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'Point tokenFile at a readable file holding the token, or remove the key.', { cause: e });
  }
  const token = text.trim();
  if (!token) throw new FlotillaError('config', `${configFile}: tokenFile: ${path} is empty`, 'Write the token into the file, or remove the tokenFile key.');
  return token;
}

export function resolveClient(flags: ClientFlags, env: NodeJS.ProcessEnv = process.env): ResolvedClient {
  const configFile = flotillaPaths(env).clientConfig;
  let cached: ClientConfig | undefined;
  // read lazily: flags and env are enough on their own, and a broken file should not block them
  const config = (): ClientConfig => (cached ??= readClientConfig(configFile));

  let server: string;
  let serverSource: Source;
  if (flags.server) [server, serverSource] = [flags.server, 'flag'];
  else if (env.FLOTILLA_SERVER) [server, serverSource] = [env.FLOTILLA_SERVER, 'env'];
  else if (config().server) [server, serverSource] = [config().server as string, 'config'];
  else [server, serverSource] = [DEFAULT_SERVER, 'default'];

  let token: string | null = null;
  let tokenSource: ResolvedClient['tokenSource'] = null;
  if (flags.token) [token, tokenSource] = [flags.token, 'flag'];
  else if (env.FLOTILLA_TOKEN) [token, tokenSource] = [env.FLOTILLA_TOKEN.trim(), 'env'];
  else if (config().token) [token, tokenSource] = [config().token as string, 'config'];
  else if (config().tokenFile) [token, tokenSource] = [readTokenFile(config().tokenFile as string, configFile), 'config'];

  const normalized = normalizeServer(server, serverSource);
  return {
    server: normalized,
    serverSource,
    token,
    tokenSource,
    // a CA bundle only matters for TLS; plain-HTTP use never needs to read the file for it
    caFile: normalized.startsWith('https:') ? (config().caFile ?? null) : null,
    configFile,
  };
}

export function requireToken(resolved: ResolvedClient): string {
  if (!resolved.token) throw new FlotillaError('unauthenticated', `no API token for ${resolved.server}`, NO_TOKEN_NEXT);
  return resolved.token;
}
