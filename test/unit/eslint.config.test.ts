// The layering rules of eslint.config.js, checked against the real tree: each case lints a real file
// of the project with one import added, as a developer might add it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
// Type-aware linting builds the TypeScript program of the whole project first: seconds, not a unit
// test's usual milliseconds, so the hook and the tests get a budget for that work.
const BUDGET_MS = 120_000;
let eslint: ESLint;

beforeAll(async () => {
  eslint = new ESLint({ cwd: root });
  await eslint.lintFiles(['core/errors.ts']);
}, BUDGET_MS);

const LAYERING_RULES = new Set(['no-restricted-imports', 'import-x/no-restricted-paths', 'flotilla/no-import-cycles']);

/** The layering rules reported for `file` with `line` added at its top (an unused import is not their business). */
async function rulesFor(file: string, line: string): Promise<string[]> {
  const text = `${line}\n${readFileSync(`${root}${file}`, 'utf8')}`;
  const [result] = await eslint.lintText(text, { filePath: `${root}${file}` });
  const messages = result?.messages ?? [];
  const fatal = messages.find((m) => m.fatal);
  if (fatal) throw new Error(`${file}: ${fatal.message}`);
  return messages.filter((m) => m.line === 1 && LAYERING_RULES.has(m.ruleId ?? '')).map((m) => m.ruleId as string);
}

describe('pure modules', { timeout: BUDGET_MS }, () => {
  it('may not import I/O, Ink or React, or a client library', async () => {
    expect(await rulesFor('daemon/health/model.ts', "import { readFileSync } from 'node:fs';")).toContain('no-restricted-imports');
    expect(await rulesFor('tui/render/text.ts', "import { Text } from 'ink';")).toContain('no-restricted-imports');
    expect(await rulesFor('agent/sim/tick.ts', "import type { S3Client } from '@aws-sdk/client-s3';")).toContain('no-restricted-imports');
    expect(await rulesFor('tui/state/store.ts', "import { spawn } from 'child_process';")).toContain('no-restricted-imports');
  });

  it('may import from this project only other pure modules, types included', async () => {
    expect(await rulesFor('daemon/sync/rules.ts', "import type { Logger } from '../../core/log.js';")).toContain('import-x/no-restricted-paths');
    expect(await rulesFor('core/jobs.ts', "import { writeFileAtomic } from './atomic-file.js';")).toContain('import-x/no-restricted-paths');
    expect(await rulesFor('daemon/sync/rules.ts', "import { firstIssue } from '../../core/schema-issue.js';")).toEqual([]);
  });

  it('leaves adapters free to do I/O', async () => {
    expect(await rulesFor('agent/sim/backend.ts', "import { readFileSync } from 'node:fs';")).toEqual([]);
    expect(await rulesFor('core/log.ts', "import { readFileSync as read } from 'node:fs';")).toEqual([]);
  });
});

describe('parts', { timeout: BUDGET_MS }, () => {
  it('import only the parts below them', async () => {
    expect(await rulesFor('core/errors.ts', "import type { DaemonConfig } from '../config/schemas.js';")).toContain('import-x/no-restricted-paths');
    expect(await rulesFor('config/paths.ts', "import type { Registry } from '../daemon/registry/registry.js';")).toContain('import-x/no-restricted-paths');
    expect(await rulesFor('tui/main.tsx', "import type { DaemonHandle } from '../daemon/main.js';")).toContain('import-x/no-restricted-paths');
    expect(await rulesFor('agent/main.ts', "import type { Registry } from '../daemon/registry/registry.js';")).toContain('import-x/no-restricted-paths');
    expect(await rulesFor('daemon/main.ts', "import type { AgentHandle } from '../agent/main.js';")).toContain('import-x/no-restricted-paths');
  });

  it('may import config and core from above', async () => {
    expect(await rulesFor('agent/main.ts', "import type { DaemonConfig } from '../config/schemas.js';")).toEqual([]);
    expect(await rulesFor('cli/program.ts', "import type { DaemonHandle } from '../daemon/main.js';")).toEqual([]);
  });
});

describe('cycles', { timeout: BUDGET_MS }, () => {
  it('forbid an import that closes a cycle, even a type-only one', async () => {
    // core/duration.ts imports core/errors.ts; errors importing duration back closes a cycle.
    expect(await rulesFor('core/errors.ts', "import type { parseDuration } from './duration.js';")).toContain('flotilla/no-import-cycles');
  });
});
