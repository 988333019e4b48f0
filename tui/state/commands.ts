// The `:` command line. One table — the views' own commands (:fleet, :cluster NAME, :jobs) from the
// registry, then the shell's (:run, :q) — so the help overlay, the `:` hint and the "unknown command"
// message always agree with what runs.
import type { Role } from '../../core/roles.js';
import { can, requiredRole, type GatedAction } from '../access.js';
import { VIEWS, type ViewKind } from '../views/registry.js';
import { parseRun, RUN_USAGE, type RunRequest } from './run-command.js';
import type { ViewCommand } from './view-model.js';

export interface CommandHelp {
  /** The words that run it; the first is the one the `:` hint shows. */
  verbs: readonly string[];
  usage: string;
  description: string;
  /** The daemon call it leads to; the help leaves it out for roles that may not make it. */
  needs?: GatedAction;
}

type ShellCommand = CommandHelp & { kind: 'run' | 'quit' };
type OpenCommand = ViewCommand & { kind: 'open'; view: ViewKind };

const SHELL_COMMANDS: readonly ShellCommand[] = [
  { kind: 'run', verbs: ['run'], usage: RUN_USAGE, description: 'fleet job on the clusters a label selector matches: dry run first, then confirm', needs: 'job.submit' },
  { kind: 'quit', verbs: ['q', 'quit'], usage: ':q, :quit', description: 'quit' },
];

const VIEW_COMMANDS: readonly OpenCommand[] = VIEWS.flatMap((v) => (v.commands ?? []).map((c) => ({ ...c, kind: 'open' as const, view: v.kind })));

export const COMMANDS: readonly (ShellCommand | OpenCommand)[] = [...VIEW_COMMANDS, ...SHELL_COMMANDS];

function allowed(command: CommandHelp, role?: Role): boolean {
  return role === undefined || command.needs === undefined || can(role, command.needs);
}

/** With a role, commands it may not use are left out; without one every command counts. */
export function commandsFor(role?: Role): CommandHelp[] {
  return COMMANDS.filter((c) => allowed(c, role));
}

export type Command =
  | { kind: 'open'; view: ViewKind; arg?: string }
  | { kind: 'run'; run: RunRequest }
  | { kind: 'quit' }
  | { kind: 'none' }
  | { kind: 'error'; message: string };

export function parseCommand(text: string, role?: Role): Command {
  const [verb, ...args] = text.trim().replace(/^:/, '').split(/\s+/).filter((w) => w.length > 0);
  if (verb === undefined) return { kind: 'none' };
  const command = COMMANDS.find((c) => c.verbs.includes(verb));
  if (!command) return { kind: 'error', message: `unknown command "${verb}" — commands: ${commandsFor(role).map((c) => c.usage).join(', ')}` };
  // Refused here as well as in the daemon, so the user learns why before anything is sent.
  if (role !== undefined && command.needs !== undefined && !can(role, command.needs)) {
    return { kind: 'error', message: `:${verb} needs the ${requiredRole(command.needs)} role; this token is ${role}` };
  }
  switch (command.kind) {
    case 'quit':
      return { kind: 'quit' };
    case 'run': {
      const parsed = parseRun(args);
      return parsed.ok ? { kind: 'run', run: parsed.run } : { kind: 'error', message: parsed.error };
    }
    case 'open': {
      const parsed = command.parse(args);
      if (!parsed.ok) return { kind: 'error', message: parsed.error };
      return parsed.arg === undefined ? { kind: 'open', view: command.view } : { kind: 'open', view: command.view, arg: parsed.arg };
    }
  }
}
