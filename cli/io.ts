// What a command needs from its surroundings, so commands never touch process.* directly for output.
import { flotillaPaths, type FlotillaPaths } from '../config/paths.js';
import { resolveClient, type ClientFlags } from './client-config.js';
import { FlotillaClient } from './client.js';
import { sessionBearer } from './session-bearer.js';
import { caTransport } from './transport.js';

export interface Io {
  /** Data: tables, JSON, secrets the user asked for. */
  out(text: string): void;
  /** Messages: progress, instructions, warnings. */
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Whether stdout is a terminal (colour is on by default only there). */
  stdoutIsTTY?: boolean;
}

export function processIo(): Io {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
    stdoutIsTTY: process.stdout.isTTY === true,
  };
}

export function pathsOf(io: Io): FlotillaPaths {
  return flotillaPaths(io.env);
}

/** A client for commands that talk to the daemon; the token is checked when a call needs it. */
export function clientFor(flags: ClientFlags, io: Io): FlotillaClient {
  const resolved = resolveClient(flags, io.env);
  return new FlotillaClient({
    server: resolved.server,
    token: resolved.token ?? sessionBearer(io.env, resolved.server),
    ...(resolved.caFile ? { transport: caTransport(resolved.caFile) } : {}),
  });
}
