// Files only their owner may read: the control plane's signing key is checked before it is used,
// and the registry, logs and data directories are created private (0600 files, 0700 directories).
// Modes apply when a file is created, so an operator's deliberate chmod of an existing file stands.
import { closeSync, mkdirSync, openSync, realpathSync, statSync } from 'node:fs';
import { FlotillaError } from './errors.js';

const OTHERS = 0o077;
const octal = (mode: number) => (mode & 0o777).toString(8).padStart(4, '0');

/**
 * Refuses a secret file that group or others may read, following symlinks (the mode that counts is
 * the target's). A missing file passes: its reader reports that with its own next step.
 */
export function assertOwnerOnly(path: string, what: string): void {
  if (process.platform === 'win32') return; // no POSIX modes to check
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch {
    return;
  }
  if ((mode & OTHERS) === 0) return;
  const real = realpathSync(path);
  const shown = real === path ? path : `${path} (a link to ${real})`;
  throw new FlotillaError('config', `${what} ${shown} can be read by other users (mode ${octal(mode)})`, `Run \`chmod 600 ${real}\` and start again; if someone else may have read it, treat the key as exposed.`, { details: { path: real, mode: octal(mode) } });
}

/** Creates an empty file with mode 0600 unless it exists, so whatever opens it next does not create it with the umask's mode. */
export function createPrivateFile(path: string): void {
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
}

/** mkdir -p with 0700 for every directory it creates. */
export function mkdirPrivate(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
}
