// The `:` command line. One table so the help overlay and the "unknown command" message agree.
import { roleAtLeast, type Role } from '../../core/roles.js';
import { parseRun, RUN_USAGE, type RunRequest } from './run-command.js';

export interface CommandHelp {
  usage: string;
  description: string;
  /** The least role the command works for; the help leaves it out below that. */
  role?: Role;
}

export const COMMANDS: readonly CommandHelp[] = [
  { usage: ':cluster NAME', description: 'open the detail view of a cluster' },
  { usage: ':fleet', description: 'back to the fleet view' },
  { usage: ':jobs', description: 'the jobs view' },
  { usage: RUN_USAGE, description: 'fleet job on the clusters a label selector matches: dry run first, then confirm', role: 'operator' },
  { usage: ':q, :quit', description: 'quit' },
];

/** With a role, commands above it are left out; without one every command counts. */
export function commandsFor(role?: Role): CommandHelp[] {
  return COMMANDS.filter((c) => role === undefined || c.role === undefined || roleAtLeast(role, c.role));
}

export type Command =
  | { kind: 'cluster'; name: string }
  | { kind: 'fleet' }
  | { kind: 'jobs' }
  | { kind: 'run'; run: RunRequest }
  | { kind: 'quit' }
  | { kind: 'none' }
  | { kind: 'error'; message: string };

export function parseCommand(text: string, role?: Role): Command {
  const [verb, ...args] = text.trim().replace(/^:/, '').split(/\s+/).filter((w) => w.length > 0);
  if (verb === undefined) return { kind: 'none' };
  switch (verb) {
    case 'cluster':
      if (args.length !== 1 || args[0] === undefined) return { kind: 'error', message: 'usage: :cluster NAME' };
      return { kind: 'cluster', name: args[0] };
    case 'fleet':
      return { kind: 'fleet' };
    case 'jobs':
      return { kind: 'jobs' };
    case 'run': {
      // Refused here as well as in the daemon, so a viewer learns why before anything is sent.
      if (role !== undefined && !roleAtLeast(role, 'operator')) return { kind: 'error', message: `:run needs the operator role; this token is ${role}` };
      const parsed = parseRun(args);
      return parsed.ok ? { kind: 'run', run: parsed.run } : { kind: 'error', message: parsed.error };
    }
    case 'q':
    case 'quit':
      return { kind: 'quit' };
    default:
      return { kind: 'error', message: `unknown command "${verb}" — commands: ${commandsFor(role).map((c) => c.usage).join(', ')}` };
  }
}
