// @ts-check
// The lint rule `flotilla/no-import-cycles`: no module may reach itself through its imports, and
// type-only imports count. eslint-plugin-import-x's no-cycle skips `import type` by design (a type
// cycle does nothing at run time), but a type cycle still ties two modules into one unit that can
// only be understood, tested and moved together, which is what the layering forbids.
//
// The graph comes from the TypeScript program that type-aware linting has already built, so the
// rule parses nothing again: it walks each program's source files once, finds the strongly
// connected components (Tarjan), and reports every import that stays inside its file's component,
// with one path that closes the cycle.
import path from 'node:path';
import ts from 'typescript';

/** @typedef {{ edges: Map<string, Set<string>>, component: Map<string, number>, members: Map<number, string[]>, resolve: (spec: string, from: string) => string | undefined }} Graph */

/** @type {WeakMap<ts.Program, Graph>} */
const graphs = new WeakMap();

/** Module specifiers a source file imports or re-exports, including `import type`, `import('…')` types and dynamic imports. */
function specifiersOf(/** @type {ts.SourceFile} */ sf) {
  /** @type {string[]} */
  const out = [];
  /** @param {ts.Node} node */
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      out.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      out.push(node.moduleReference.expression.text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      out.push(node.argument.literal.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteralLike(node.arguments[0])) {
      out.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Tarjan's strongly connected components, iterative so a long chain cannot overflow the stack. */
export function components(/** @type {Map<string, Set<string>>} */ edges) {
  /** @type {Map<string, number>} */
  const component = new Map();
  /** @type {Map<string, number>} */
  const index = new Map();
  /** @type {Map<string, number>} */
  const low = new Map();
  /** @type {string[]} */
  const stack = [];
  const onStack = new Set();
  let next = 0;
  let count = 0;
  for (const root of edges.keys()) {
    if (index.has(root)) continue;
    /** @type {{ node: string, targets: Iterator<string> }[]} */
    const work = [{ node: root, targets: (edges.get(root) ?? new Set()).values() }];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const top = /** @type {{ node: string, targets: Iterator<string> }} */ (work[work.length - 1]);
      const step = top.targets.next();
      if (!step.done) {
        const w = step.value;
        if (!edges.has(w)) continue;
        if (!index.has(w)) {
          index.set(w, next);
          low.set(w, next++);
          stack.push(w);
          onStack.add(w);
          work.push({ node: w, targets: (edges.get(w) ?? new Set()).values() });
        } else if (onStack.has(w)) {
          low.set(top.node, Math.min(/** @type {number} */ (low.get(top.node)), /** @type {number} */ (index.get(w))));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(/** @type {number} */ (low.get(parent.node)), /** @type {number} */ (low.get(top.node))));
      if (low.get(top.node) === index.get(top.node)) {
        let w;
        do {
          w = /** @type {string} */ (stack.pop());
          onStack.delete(w);
          component.set(w, count);
        } while (w !== top.node);
        count += 1;
      }
    }
  }
  return component;
}

/** The shortest import path from `from` back to `to` inside one component (breadth first). */
export function pathBetween(/** @type {Map<string, Set<string>>} */ edges, /** @type {Map<string, number>} */ component, /** @type {string} */ from, /** @type {string} */ to) {
  const want = component.get(from);
  /** @type {Map<string, string>} */
  const cameFrom = new Map();
  const queue = [from];
  const seen = new Set([from]);
  while (queue.length > 0) {
    const node = /** @type {string} */ (queue.shift());
    if (node === to) break;
    for (const w of edges.get(node) ?? []) {
      if (seen.has(w) || component.get(w) !== want) continue;
      seen.add(w);
      cameFrom.set(w, node);
      queue.push(w);
    }
  }
  const out = [to];
  for (let n = cameFrom.get(to); n !== undefined; n = cameFrom.get(n)) out.unshift(n);
  return out;
}

function graphOf(/** @type {ts.Program} */ program) {
  const cached = graphs.get(program);
  if (cached) return cached;
  const options = program.getCompilerOptions();
  const cache = ts.createModuleResolutionCache(program.getCurrentDirectory(), (f) => f, options);
  const ours = (/** @type {ts.SourceFile} */ sf) => !sf.isDeclarationFile && !program.isSourceFileFromExternalLibrary(sf) && !sf.fileName.includes('/node_modules/');
  /** @type {Graph['resolve']} */
  const resolve = (spec, from) => {
    const mode = program.getSourceFile(from)?.impliedNodeFormat;
    const resolved = ts.resolveModuleName(spec, from, options, ts.sys, cache, undefined, mode).resolvedModule;
    if (!resolved || resolved.isExternalLibraryImport) return undefined;
    return path.resolve(resolved.resolvedFileName);
  };
  /** @type {Map<string, Set<string>>} */
  const edges = new Map();
  for (const sf of program.getSourceFiles()) {
    if (!ours(sf)) continue;
    const file = path.resolve(sf.fileName);
    const targets = new Set();
    for (const spec of specifiersOf(sf)) {
      const target = resolve(spec, sf.fileName);
      if (target && target !== file) targets.add(target);
    }
    edges.set(file, targets);
  }
  const component = components(edges);
  /** @type {Map<number, string[]>} */
  const members = new Map();
  for (const [file, c] of component) members.set(c, [...(members.get(c) ?? []), file]);
  const graph = { edges, component, members, resolve };
  graphs.set(program, graph);
  return graph;
}

/** @type {import('eslint').Rule.RuleModule} */
const noImportCycles = {
  meta: {
    type: 'problem',
    docs: { description: 'Forbid import cycles between modules, type-only imports included.' },
    schema: [
      {
        type: 'object',
        properties: {
          // Cycles known and left for now, each as its exact set of files (relative to the lint's cwd).
          // A file joining or leaving such a cycle makes it an error again.
          knownCycles: { type: 'array', items: { type: 'array', items: { type: 'string' }, minItems: 2 } },
        },
        additionalProperties: false,
      },
    ],
    messages: { cycle: 'Import cycle: {{path}}. Move what both sides need into a module of its own, or turn one import around.' },
  },
  create(context) {
    const program = context.sourceCode.parserServices?.program;
    if (!program) return {};
    const file = path.resolve(context.physicalFilename);
    const graph = graphOf(/** @type {ts.Program} */ (/** @type {unknown} */ (program)));
    const mine = graph.component.get(file);
    if (mine === undefined) return {};
    const cwd = context.cwd;
    const cycle = (/** @type {string[]} */ files) => files.map((f) => path.relative(cwd, path.resolve(cwd, f))).sort().join('\n');
    /** @type {{ knownCycles?: string[][] }} */
    const options = context.options[0] ?? {};
    const known = new Set((options.knownCycles ?? []).map(cycle));
    if (known.has(cycle(graph.members.get(mine) ?? []))) return {};
    /** @param {import('estree').Node} node @param {unknown} source */
    const check = (node, source) => {
      const literal = /** @type {{ type?: string, value?: unknown } | null | undefined} */ (source);
      if (literal?.type !== 'Literal' || typeof literal.value !== 'string') return;
      const target = graph.resolve(literal.value, file);
      if (!target || target === file || graph.component.get(target) !== mine) return;
      const route = [file, ...pathBetween(graph.edges, graph.component, target, file)];
      context.report({ node, messageId: 'cycle', data: { path: route.map((f) => path.relative(cwd, f)).join(' → ') } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
      /** @param {any} node */
      TSImportType: (node) => check(node, node.source),
      /** @param {any} node */
      TSImportEqualsDeclaration: (node) => check(node, node.moduleReference?.expression),
    };
  },
};

export default { meta: { name: 'flotilla' }, rules: { 'no-import-cycles': noImportCycles } };
