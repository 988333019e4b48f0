// Turns whatever ended a command into the text for stderr and the process exit status (DESIGN.md §3.1).
// Pure, so the mapping is tested without spawning processes.
import { CommanderError } from 'commander';
import { EXIT_CODES, FlotillaError } from '../core/errors.js';

export interface Outcome {
  code: number;
  stderr: string;
}

const REPORT = 'This is a bug in Flotilla; please report it with the command you ran and this output.';

export function outcomeOf(e: unknown): Outcome {
  if (e instanceof CommanderError) {
    // help and --version end through exitOverride too; they are successes.
    if (e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') {
      return { code: EXIT_CODES.ok, stderr: '' };
    }
    // commander has already printed "error: …"; add the next step.
    return { code: EXIT_CODES.usage, stderr: 'next: run `flotilla --help` or `flotilla <command> --help` for usage\n' };
  }
  if (e instanceof FlotillaError) {
    return { code: e.exitCode, stderr: `error: ${e.message}\nnext: ${e.next}\n` };
  }
  const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
  return { code: EXIT_CODES.internal, stderr: `error: unexpected failure: ${message}\nnext: ${REPORT}\n` };
}
