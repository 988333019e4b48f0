import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '../../../harness/tmp.js';

// The rule is plain JavaScript (eslint.config.js loads it without a TypeScript step), so it is
// imported by URL and given its shape here.
interface CyclesModule {
  default: ESLint.Plugin;
  components(edges: Map<string, Set<string>>): Map<string, number>;
  pathBetween(edges: Map<string, Set<string>>, component: Map<string, number>, from: string, to: string): string[];
}
const RULE_URL = new URL('../../../../scripts/lint/import-cycles.mjs', import.meta.url).href;
let cycles: CyclesModule;

beforeAll(async () => {
  cycles = (await import(RULE_URL)) as CyclesModule;
});
afterAll(cleanupTempDirs);

function graph(spec: Record<string, string[]>): Map<string, Set<string>> {
  return new Map(Object.entries(spec).map(([k, v]) => [k, new Set(v)]));
}

describe('components', () => {
  it('puts the files of one cycle together and every other file alone', () => {
    const c = cycles.components(graph({ a: ['b'], b: ['c'], c: ['a'], d: ['a'], e: [] }));
    expect(c.get('a')).toBe(c.get('b'));
    expect(c.get('b')).toBe(c.get('c'));
    expect(new Set([c.get('a'), c.get('d'), c.get('e')]).size).toBe(3);
  });

  it('walks a chain of ten thousand modules without running out of stack', () => {
    const n = 10_000;
    const edges = new Map(Array.from({ length: n }, (_, i) => [`m${i}`, new Set(i + 1 < n ? [`m${i + 1}`] : ['m0'])]));
    const c = cycles.components(edges);
    expect(new Set(c.values()).size).toBe(1);
  });

  it('finds the shortest way back inside a cycle', () => {
    const edges = graph({ a: ['b', 'x'], b: ['c'], c: ['a'], x: ['a'] });
    expect(cycles.pathBetween(edges, cycles.components(edges), 'x', 'a')).toEqual(['x', 'a']);
    expect(cycles.pathBetween(edges, cycles.components(edges), 'b', 'a')).toEqual(['b', 'c', 'a']);
  });
});

describe('flotilla/no-import-cycles', () => {
  let dir: string;
  let results: ESLint.LintResult[];

  beforeAll(async () => {
    dir = tempDir('flotilla-lint-');
    const files: Record<string, string> = {
      'package.json': JSON.stringify({ type: 'module' }),
      'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, verbatimModuleSyntax: true }, include: ['*.ts'] }),
      // Only types flow between these two, and the cycle still counts.
      'type-a.ts': "import type { B } from './type-b.js';\nexport interface A { b?: B }\n",
      'type-b.ts': "import type { A } from './type-a.js';\nexport interface B { a?: A }\n",
      // A value cycle through three files.
      'one.ts': "import { two } from './two.js';\nexport const one = (): number => two() + 1;\n",
      'two.ts': "import { three } from './three.js';\nexport const two = (): number => three();\n",
      'three.ts': "import type { A } from './type-a.js';\nexport const three = (): number => 3;\nexport { one } from './one.js';\nexport type T = A;\n",
      // A `typeof import()` type and a dynamic import close cycles too.
      'dyn-a.ts': "export type Later = typeof import('./dyn-b.js');\nexport const a = 1;\n",
      'dyn-b.ts': "export async function load(): Promise<number> { return (await import('./dyn-a.js')).a; }\n",
      // Importing into a cycle from outside it is fine.
      'outside.ts': "import { one } from './one.js';\nimport type { A } from './type-a.js';\nexport const x: A = {};\nexport const y = one();\n",
      // A cycle listed as known is left alone.
      'known-x.ts': "import type { Y } from './known-y.js';\nexport type X = { y?: Y };\n",
      'known-y.ts': "import type { X } from './known-x.js';\nexport type Y = { x?: X };\n",
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const eslint = new ESLint({
      cwd: dir,
      overrideConfigFile: true,
      overrideConfig: [
        {
          files: ['**/*.ts'],
          languageOptions: { parser: tseslint.parser, parserOptions: { projectService: true, tsconfigRootDir: dir } },
          plugins: { flotilla: cycles.default },
          rules: { 'flotilla/no-import-cycles': ['error', { knownCycles: [['known-x.ts', 'known-y.ts']] }] },
        },
      ],
    });
    results = await eslint.lintFiles(['*.ts']);
    // Type-aware linting builds a TypeScript program first: seconds on a loaded machine.
  }, 120_000);

  function messagesOf(file: string): string[] {
    return (results.find((r) => r.filePath === join(dir, file))?.messages ?? []).map((m) => m.message);
  }

  it('reports a cycle of type-only imports on both sides, with the path', () => {
    expect(messagesOf('type-a.ts')).toEqual([expect.stringContaining('Import cycle: type-a.ts → type-b.ts → type-a.ts')]);
    expect(messagesOf('type-b.ts')).toEqual([expect.stringContaining('Import cycle: type-b.ts → type-a.ts → type-b.ts')]);
  });

  it('reports each import of a value cycle, re-exports included', () => {
    expect(messagesOf('one.ts')).toEqual([expect.stringContaining('one.ts → two.ts → three.ts → one.ts')]);
    expect(messagesOf('two.ts')).toEqual([expect.stringContaining('two.ts → three.ts → one.ts → two.ts')]);
    // three.ts imports type-a.ts too, which is outside its cycle: only the re-export is reported.
    expect(messagesOf('three.ts')).toEqual([expect.stringContaining('three.ts → one.ts → two.ts → three.ts')]);
  });

  it('sees import() types and dynamic imports', () => {
    expect(messagesOf('dyn-a.ts')).toEqual([expect.stringContaining('dyn-a.ts → dyn-b.ts → dyn-a.ts')]);
    expect(messagesOf('dyn-b.ts')).toEqual([expect.stringContaining('dyn-b.ts → dyn-a.ts → dyn-b.ts')]);
  });

  it('leaves modules outside every cycle alone, and known cycles too', () => {
    expect(messagesOf('outside.ts')).toEqual([]);
    expect(messagesOf('known-x.ts')).toEqual([]);
    expect(messagesOf('known-y.ts')).toEqual([]);
  });
});
