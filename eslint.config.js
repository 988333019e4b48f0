// Type-aware lint: in a long-running daemon a floating promise is a lost error, so it is an error here.
// The layering (docs/ARCHITECTURE.md, "Layering") is enforced here too: which part may import which,
// which modules are pure, and no import cycles anywhere.
import path from 'node:path';
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';
import flotilla from './scripts/lint/import-cycles.mjs';

// Pure modules (DESIGN §2): decisions and formatting only, tested directly with no fakes. Each one
// imports no I/O, no Ink or React and no client library, and from this project only other pure
// modules, so nothing reaches I/O through them either. Add a module here when you write one: the
// health model, reducers and selectors, render, rules, selectors, blast radius, the sim model, the log
// query parser (core/query/ when it comes), config generation and the shared contracts in core/.
const PURE_MODULES = [
  'core/{access,api,backoff,depth,dsse,duration,errors,fleet,jobs,keys,loopback,pipeline,protocol,rate-window,registration,roles,schema-issue,sealed,secrets,selector,status,units}.ts',
  'core/store/{config,failure,key-space,types}.ts',
  'core/brokers/{management-errors,topology}.ts',
  'core/query/**',
  'core/logs/**',
  'core/metrics/**',
  'config/{api-schema,auth-schema,logs-schema,schemas,json-schema/generate}.ts',
  'daemon/health/**',
  'daemon/metrics/{prometheus-queries,range-query,tiers}.ts',
  'daemon/{bundle,config-file,fleet/row,registry/cluster-record,sync/rules}.ts',
  'daemon/jobs/{blast-radius,request,result-rules,retention}.ts',
  'daemon/auth/{actor,authorize}.ts',
  'daemon/api/{connection-limits,denial-summary,path-param}.ts',
  'daemon/logs/{group-acks,ingest-rules,pipeline-model,query-limits,query-target,writer-queue}.ts',
  'daemon/logs/rabbitmq/delivery-rule[s].ts',
  'daemon/backup/{evidence-rules,manifest,schedule,seq-floor}.ts',
  'daemon/brokers/*-config.ts',
  'daemon/logs/fts5/{compile,rowkey,schema}.ts',
  'daemon/logs/elasticsearch/{compile,cursor,documents,outcomes,requests,template}.ts',
  'agent/{actions,backend,report,jobs/verify}.ts',
  'agent/sim/!(backend|log-files).ts',
  'agent/logs/{batch-build,figures,input,ship-outcome,shipper}.ts',
  'agent/kube/{export,managed,quantity}.ts',
  'agent/logs/kube-api/{instances,position}.ts',
  'agent/logs/{flatten,level,record-build,record-id,text}.ts',
  'agent/logs/formats/**',
  'cli/logs/{frames,render,tail-state}.ts',
  'cli/{metrics-config,metrics-files,metrics-format,pipeline-format,table}.ts',
  'tui/state/**',
  'tui/render/**',
  'tui/{access,frames,input,keymap}.ts',
  'tui/views/{registry,view-props}.ts',
  'tui/views/*/model.ts',
  'tui/views/logs/{answers,buffer,context-model,layout,query}.ts',
];
// Every entry must be a glob: the import-x zone below takes only globs as exceptions.
// A brace with one name ("dir/{file}.ts") is not expanded and matches nothing: one file is "dir/fil[e].ts".
if (PURE_MODULES.some((g) => !/[*?{![]/.test(g) || /\{[^,{}]*\}/.test(g))) throw new Error('eslint.config.js: write every PURE_MODULES entry as a glob, e.g. "dir/{file,other}.ts", "dir/*.ts", or for one file "dir/fil[e].ts" (a one-name brace matches nothing)');

// What a pure module may not import: I/O (files, network, processes, the terminal), the UI
// framework, and client libraries of outside services.
const IO_BUILTINS = ['fs', 'net', 'http', 'https', 'http2', 'child_process', 'dgram', 'dns', 'tls', 'readline', 'worker_threads', 'cluster', 'os', 'inspector', 'repl'];
const PURE_MESSAGE = 'Pure modules do no I/O and use no UI or client library (PURE_MODULES in eslint.config.js); pass what they need in from an adapter.';
const NOT_IN_PURE_MODULES = [
  ...IO_BUILTINS.flatMap((m) => [`node:${m}`, `node:${m}/*`]),
  'better-sqlite3',
  'ws',
  '@aws-sdk/*',
  '@kubernetes/client-node',
  '@elastic/elasticsearch',
  'amqplib',
  'prom-client',
  'pino',
  'jose',
  'commander',
  'ink',
  'ink-*',
  'react',
  'react/*',
];

// The parts, lowest first. A part imports only the parts below it: core depends on nothing but node
// and libraries, config on core, daemon, agent and tui on config and core; cli wires them together.
const PART_IMPORTS = {
  core: [],
  config: ['core'],
  daemon: ['core', 'config'],
  agent: ['core', 'config'],
  tui: ['core', 'config'],
};
const PARTS = ['cli', 'config', 'core', 'daemon', 'agent', 'tui'];

const root = import.meta.dirname;
const absolute = (glob) => path.join(root, glob);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: root },
    },
    plugins: { 'import-x': importX, flotilla },
    settings: {
      'import-x/extensions': ['.ts', '.tsx'],
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: path.join(root, 'tsconfig.json') })],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      'flotilla/no-import-cycles': [
        'error',
        {
          // Cycles tolerated while a restructuring is under way, each as the exact list of its files; none
          // today. Any change to a listed cycle makes it an error again.
          knownCycles: [],
        },
      ],
      'import-x/no-restricted-paths': [
        'error',
        {
          basePath: root,
          zones: [
            ...Object.entries(PART_IMPORTS).map(([part, below]) => ({
              target: `./${part}`,
              from: PARTS.filter((p) => p !== part && !below.includes(p)).map((p) => `./${p}`),
              message: `${part}/ may import only ${below.length ? below.map((p) => `${p}/`).join(' and ') : 'node and libraries'} (docs/ARCHITECTURE.md, "Layering").`,
            })),
            {
              target: PURE_MODULES.map(absolute),
              from: PARTS.map((p) => absolute(`${p}/**`)),
              except: PURE_MODULES.map(absolute),
              message: 'A pure module imports only other pure modules (PURE_MODULES in eslint.config.js).',
            },
          ],
        },
      ],
    },
  },
  {
    files: PURE_MODULES,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          // Bare builtin names as exact paths: as patterns they would also match a local folder ("./cluster/…").
          paths: IO_BUILTINS.flatMap((m) => [m, `${m}/promises`]).map((name) => ({ name, message: PURE_MESSAGE })),
          patterns: [{ group: NOT_IN_PURE_MODULES, message: PURE_MESSAGE }],
        },
      ],
    },
  },
  {
    files: ['test/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
