// `flotilla logs search|tail`: the fleet's log lines in the terminal (docs/LOGS.md#searching-from-the-cli).
// The query is parsed here first, so a mistake is shown with a caret before any request is made.
import type { Command } from 'commander';
import { FlotillaError } from '../../core/errors.js';
import { parseQuery, QueryError } from '../../core/query/parse.js';
import { resolveClient, type ClientFlags } from '../client-config.js';
import { sessionBearer } from '../session-bearer.js';
import { clientFor, type Io } from '../io.js';
import { caretLines, jsonHits, renderHits, renderLine, wantsColour } from '../logs/render.js';
import { LogTail } from '../logs/tail-link.js';
import { intIn } from '../options.js';
import { untilSignal } from '../signals.js';
import { renderJson } from '../table.js';

export const SEARCH_LIMITS = { defaultLimit: 100, maxLimit: 1000, maxContext: 50 } as const;

/**
 * The query from the command's words, joined by spaces, so `flotilla logs search level:error timeout`
 * needs no quotes. Words that start with `--` are mistyped options, never query syntax. Checked
 * locally: a QueryError comes back with the query echoed and a caret under the position (unless
 * the caller wants JSON, which gets the plain error).
 */
export function queryFrom(words: readonly string[], json: boolean): string {
  const option = words.find((w) => w.startsWith('--'));
  if (option !== undefined) throw new FlotillaError('usage', `unknown option ${option}`, 'Run `flotilla logs search --help`; query terms never start with "--".');
  const query = words.join(' ');
  try {
    parseQuery(query);
  } catch (e) {
    if (!(e instanceof QueryError) || json) throw e;
    throw new FlotillaError('usage', `${e.message}\n${caretLines(query, e.position)}`, e.next, { details: { position: e.position, expected: e.expected } });
  }
  return query;
}

interface SearchOptions {
  limit: number;
  context?: number;
  json?: boolean;
}

export function registerLogs(program: Command, io: Io): void {
  const logs = program.command('logs').description('search and tail log lines across the fleet (query syntax: docs/LOGS.md#query-language)');
  const colour = (): boolean => wantsColour(io.env, io.stdoutIsTTY === true);

  logs
    .command('search')
    .description('the newest lines matching QUERY, newest first')
    .usage('QUERY [--limit N] [--context N] [--json]')
    .argument('[query...]', 'e.g. cluster:prod-* level:error "timed out" since:15m (empty: every line)')
    .option('--limit <n>', `at most this many hits (1-${SEARCH_LIMITS.maxLimit}, default ${SEARCH_LIMITS.defaultLimit})`, intIn(1, SEARCH_LIMITS.maxLimit), SEARCH_LIMITS.defaultLimit)
    .option('--context <n>', `also N lines before and after each hit from the same container (0-${SEARCH_LIMITS.maxContext})`, intIn(0, SEARCH_LIMITS.maxContext))
    .option('--json', 'print an array of records (id, ts, cluster, namespace, pod, container, node, stream, level, message, fields; with --context also context)')
    .allowUnknownOption()
    .action(async (words: string[], opts: SearchOptions, cmd: Command) => {
      const query = queryFrom(words, opts.json === true);
      const context = opts.context !== undefined && opts.context > 0 ? opts.context : undefined;
      const { page, rejected } = await clientFor(cmd.optsWithGlobals<ClientFlags>(), io).searchLogs({ q: query, limit: opts.limit, ...(context ? { context } : {}) });
      if (rejected > 0) io.err(`skipped ${rejected} malformed record(s) in the daemon's answer\n`);
      if (opts.json) {
        io.out(renderJson(jsonHits(page.items, context !== undefined)));
        return;
      }
      io.out(renderHits(page.items, { colour: colour() }));
      if (page.items.length === 0) io.err('no lines match\n');
      else if (page.next !== undefined) io.err(`${page.items.length} newest hits shown; older ones match too: raise --limit (up to ${SEARCH_LIMITS.maxLimit}) or narrow with until:\n`);
    });

  logs
    .command('tail')
    .description('the newest lines matching QUERY, then new ones as they arrive; reconnects by itself; Ctrl-C stops')
    .usage('QUERY')
    .argument('[query...]', 'e.g. ns:payments level:error,warn (empty: every line)')
    .allowUnknownOption()
    .action(async (words: string[], _opts: unknown, cmd: Command) => {
      const query = queryFrom(words, false);
      const flags = cmd.optsWithGlobals<ClientFlags>();
      const resolved = resolveClient(flags, io.env);
      const opts = { colour: colour() };
      const tail = new LogTail({
        server: resolved.server,
        token: resolved.token ?? sessionBearer(io.env, resolved.server),
        caFile: resolved.caFile,
        query,
        client: clientFor(flags, io),
        print: (records) => io.out(records.map((r) => `${renderLine(r, opts)}\n`).join('')),
        notice: (text) => io.err(`${text}\n`),
      });
      const signal = untilSignal().then(() => tail.stop());
      await Promise.race([tail.run(), signal]);
    });
}
