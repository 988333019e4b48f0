// Writes an agent bootstrap bundle: YAML with a header that says what the file is and why it is secret.
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';
import type { AgentConfig } from '../config/schemas.js';
import { FlotillaError } from '../core/errors.js';

export function bundleYaml(bundle: AgentConfig, now: Date, expiresAt: string | null): string {
  const header = [
    `Flotilla agent bootstrap bundle for cluster "${bundle.cluster}", written by \`flotilla cluster add\` at ${now.toISOString()}.`,
    'It holds a ONE-TIME registration token (bootstrapToken): keep the file secret (mode 0600), copy it to',
    "the cluster's agent host and start the agent with:",
    '  flotilla agent --config <this file>',
    'On first start the agent registers its own signing key and the token is spent.',
    expiresAt ? `The cluster expires at ${expiresAt}.` : 'The cluster has no expiry.',
    'Every key is documented in config/examples/agent-bundle.yaml.',
  ];
  return `${header.map((l) => `# ${l}`.trimEnd()).join('\n')}\n${stringify(bundle)}`;
}

/** Checked before the cluster is created, so a one-time token is never lost to an unwritable path. */
export function assertBundleWritable(path: string): void {
  if (existsSync(path)) {
    throw new FlotillaError('usage', `${path} already exists; a bundle is never written over a file`, 'Pass --out with another path, or move the existing file away; nothing was added.');
  }
  const dir = dirname(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new FlotillaError('usage', `directory ${dir} for --out does not exist`, 'Create the directory or choose another --out path.');
  }
}

export function writeBundle(path: string, text: string): void {
  try {
    writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    throw new FlotillaError('internal', `the cluster was added but its bundle could not be written to ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'Remove the cluster with `flotilla cluster rm NAME` and add it again with a writable --out path.', { cause: e });
  }
}
