// The `:` command line. One table so the help overlay and the "unknown command" message agree.
export const COMMANDS = [
  { usage: ':cluster NAME', description: 'open the detail view of a cluster' },
  { usage: ':fleet', description: 'back to the fleet view' },
  { usage: ':jobs', description: 'the jobs view' },
  { usage: ':q, :quit', description: 'quit' },
] as const;

export type Command = { kind: 'cluster'; name: string } | { kind: 'fleet' } | { kind: 'jobs' } | { kind: 'quit' } | { kind: 'none' } | { kind: 'error'; message: string };

const LIST = COMMANDS.map((c) => c.usage).join(', ');

export function parseCommand(text: string): Command {
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
    case 'q':
    case 'quit':
      return { kind: 'quit' };
    default:
      return { kind: 'error', message: `unknown command "${verb}" — commands: ${LIST}` };
  }
}
