// `flotilla binding add|list|rm` (admin over the whole fleet): roles over cluster scopes for OIDC
// subjects and groups (docs/ACCESS.md).
import { Option, type Command } from 'commander';
import type { BindingKind } from '../../core/api.js';
import { FlotillaError } from '../../core/errors.js';
import { ROLES, type Role } from '../../core/roles.js';
import type { ClientFlags } from '../client-config.js';
import { bindingTable } from '../format.js';
import { clientFor, type Io } from '../io.js';
import { renderJson } from '../table.js';

interface AddOptions {
  group?: string;
  subject?: string;
  role: Role;
  scope?: string;
  json?: boolean;
}

function subjectOf(opts: AddOptions): { kind: BindingKind; name: string } {
  if ((opts.group === undefined) === (opts.subject === undefined)) {
    throw new FlotillaError('usage', 'give exactly one of --group and --subject', 'Bind a group (`--group payments-oncall`) or one user by their OIDC subject (`--subject 4f1c…`, shown by `flotilla info` once they sign in).');
  }
  return opts.group !== undefined ? { kind: 'group', name: opts.group } : { kind: 'subject', name: opts.subject as string };
}

export function registerBinding(program: Command, io: Io): void {
  const binding = program.command('binding').description('bind OIDC groups and subjects to a role over clusters (admin)');

  binding
    .command('add')
    .description('give an OIDC group or subject a role over a cluster scope')
    .option('--group <group>', 'an OIDC group, as the groups claim names it')
    .option('--subject <sub>', "one user's OIDC subject (the token's sub)")
    .addOption(new Option('--role <role>', 'what the binding allows').choices(ROLES).makeOptionMandatory())
    .option('--scope <selector>', 'the clusters the role holds over, a label selector such as team=payments,env!=prod (default: the whole fleet)')
    .option('--json', 'print the binding as JSON')
    .action(async (opts: AddOptions, cmd: Command) => {
      const who = subjectOf(opts);
      const b = await clientFor(cmd.optsWithGlobals<ClientFlags>(), io).createBinding({ ...who, role: opts.role, ...(opts.scope !== undefined ? { scope: opts.scope } : {}) });
      if (opts.json) {
        io.out(renderJson(b));
        return;
      }
      io.out(`${b.id}\n`);
      io.err(`binding ${b.id}: ${b.kind} ${b.name} is ${b.role} on ${b.scope ?? 'the whole fleet'}; signed-in sessions it changes reconnect with it\n`);
    });

  binding
    .command('list')
    .alias('ls')
    .description("list bindings, daemon.yaml's (auth.bindings) and those made with `binding add`")
    .option('--json', 'print the BindingInfo array as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const items = await clientFor(cmd.optsWithGlobals<ClientFlags>(), io).listBindings();
      io.out(opts.json ? renderJson(items) : bindingTable(items));
    });

  binding
    .command('rm')
    .alias('remove')
    .description('remove a binding by id')
    .argument('<id>', 'binding id, from `flotilla binding list`')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const res = await clientFor(cmd.optsWithGlobals<ClientFlags>(), io).removeBinding(id);
      io.err(`binding ${res.removed.id} (${res.removed.kind} ${res.removed.name}, ${res.removed.role} on ${res.removed.scope ?? 'the whole fleet'}) removed\n`);
    });
}
