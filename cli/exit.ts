// Turns whatever ended a command into the text for stderr, the error object for --json output, and
// the process exit status (DESIGN.md §3.1). Pure, so the mapping is tested without spawning processes.
import { CommanderError } from 'commander';
import { EXIT_CODES, FlotillaError, type ErrorBody } from '../core/errors.js';

export interface Outcome {
  code: number;
  stderr: string;
  /** What a --json caller gets on stdout as {"error": …}; absent for successes (help, version). */
  error?: ErrorBody;
}

const REPORT = 'This is a bug in Flotilla; please report it with the command you ran and this output.';
const HELP = 'run `flotilla --help` or `flotilla <command> --help` for usage';

export function outcomeOf(e: unknown): Outcome {
  if (e instanceof CommanderError) {
    // help and --version end through exitOverride too; they are successes.
    if (e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') {
      return { code: EXIT_CODES.ok, stderr: '' };
    }
    // commander has already printed "error: …"; add the next step.
    return { code: EXIT_CODES.usage, stderr: `next: ${HELP}\n`, error: { code: 'usage', message: e.message.replace(/^error: /, ''), next: HELP } };
  }
  if (e instanceof FlotillaError) {
    return { code: e.exitCode, stderr: `error: ${e.message}\nnext: ${e.next}\n`, error: { code: e.kind, message: e.message, next: e.next } };
  }
  const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
  return { code: EXIT_CODES.internal, stderr: `error: unexpected failure: ${message}\nnext: ${REPORT}\n`, error: { code: 'internal', message: `unexpected failure: ${e instanceof Error ? e.message : String(e)}`, next: REPORT } };
}

/** Whether the words before a bare "--" ask for --json; for errors commander raises before any action runs. */
export function argvAsksJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}
