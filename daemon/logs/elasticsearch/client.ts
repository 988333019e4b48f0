// The Elasticsearch client of the sink, from `logs.sink` (docs/LOGS.md, "Elasticsearch sink"). Secrets
// come from files (an API key, or a password for a user), never from daemon.yaml itself. The client
// never retries on its own (maxRetries 0): the sink retries, because only it can tell a 409 on a
// resent `create` that its own earlier attempt caused from a record stored long before (writer.ts).
import { readFileSync } from 'node:fs';
import { Client } from '@elastic/elasticsearch';
import { FlotillaError } from '../../../core/errors.js';

export type EsAuth = { apiKeyFile: string } | { username: string; passwordFile: string };

export interface EsConnectionOptions {
  nodes: string[];
  auth?: EsAuth;
  caFile?: string;
  requestTimeoutMs: number;
}

/** A secret file's content without its trailing newline; an unreadable or empty file is a config error naming the key. */
export function readSecretFile(file: string, key: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new FlotillaError('config', `${key}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, `Check ${key} in daemon.yaml and that this user may read the file.`, { cause: e, details: { keyPath: key, file } });
  }
  const value = text.replace(/\r?\n$/, '');
  if (value === '' || /[\r\n]/.test(value)) throw new FlotillaError('config', `${key}: ${file} must hold one line, the secret`, `Write only the secret into ${file}, on one line.`, { details: { keyPath: key, file } });
  return value;
}

function readCa(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new FlotillaError('config', `logs.sink.caFile: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'Check logs.sink.caFile in daemon.yaml: the PEM bundle of the CA that signed Elasticsearch’s certificate.', { cause: e, details: { keyPath: 'logs.sink.caFile', file } });
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new FlotillaError('config', `logs.sink.caFile: ${file} holds no PEM certificate`, 'Point logs.sink.caFile at a PEM file (-----BEGIN CERTIFICATE-----), e.g. Elasticsearch’s config/certs/http_ca.crt.', { details: { keyPath: 'logs.sink.caFile', file } });
  return text;
}

export function createEsClient(opts: EsConnectionOptions): Client {
  let auth: ConstructorParameters<typeof Client>[0]['auth'];
  if (opts.auth && 'apiKeyFile' in opts.auth) auth = { apiKey: readSecretFile(opts.auth.apiKeyFile, 'logs.sink.auth.apiKeyFile') };
  else if (opts.auth) auth = { username: opts.auth.username, password: readSecretFile(opts.auth.passwordFile, 'logs.sink.auth.passwordFile') };
  const ca = opts.caFile === undefined ? undefined : readCa(opts.caFile);
  try {
    return new Client({
      nodes: opts.nodes,
      ...(auth ? { auth } : {}),
      ...(ca ? { tls: { ca } } : {}),
      requestTimeout: opts.requestTimeoutMs,
      maxRetries: 0,
      sniffOnStart: false,
      name: 'flotilla',
    });
  } catch (e) {
    throw new FlotillaError('config', `logs.sink: the Elasticsearch client refused its settings: ${(e as Error).message}`, 'Check logs.sink.nodes (http:// or https:// URLs), logs.sink.auth and logs.sink.caFile in daemon.yaml.', { cause: e });
  }
}
