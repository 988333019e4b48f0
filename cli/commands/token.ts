// `flotilla token create|list|revoke` (admin).
import { Option, type Command } from 'commander';
import { ROLES, type Role } from '../../core/roles.js';
import type { ClientFlags } from '../client-config.js';
import { tokenTable } from '../format.js';
import { clientFor, type Io } from '../io.js';
import { duration } from '../options.js';
import { renderJson } from '../table.js';

interface CreateOptions {
  role: Role;
  name?: string;
  ttl?: string;
  scope?: string;
  json?: boolean;
}

export function registerToken(program: Command, io: Io): void {
  const token = program.command('token').description('create, list and revoke API tokens (admin)');

  token
    .command('create')
    .description('create an API token; the secret is printed once')
    .addOption(new Option('--role <role>', 'what the token may do').choices(ROLES).makeOptionMandatory())
    .option('--name <name>', 'a name to recognise the token by')
    .option('--ttl <duration>', 'expire the token after this long, e.g. 30d', duration)
    .option('--scope <selector>', 'the clusters the role holds over, a label selector such as team=payments,env!=prod (default: the whole fleet)')
    .option('--json', 'print the token record, secret included, as JSON')
    .action(async (opts: CreateOptions, cmd: Command) => {
      const res = await clientFor(cmd.optsWithGlobals<ClientFlags>(), io).createToken({
        role: opts.role,
        ...(opts.name ? { name: opts.name } : {}),
        ...(opts.ttl ? { ttl: opts.ttl } : {}),
        ...(opts.scope ? { scope: opts.scope } : {}),
      });
      if (opts.json) {
        io.out(renderJson(res));
        return;
      }
      io.out(`${res.token}\n`);
      io.err(`token ${res.id} (${res.name}, ${res.role} on ${res.scope ?? 'the whole fleet'}${res.expiresAt ? `, expires ${res.expiresAt}` : ''}) created; the secret above is shown only once\n`);
    });

  token
    .command('list')
    .alias('ls')
    .description('list tokens (never their secrets)')
    .option('--json', 'print the TokenInfo array as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const items = await clientFor(cmd.optsWithGlobals<ClientFlags>(), io).listTokens();
      io.out(opts.json ? renderJson(items) : tokenTable(items));
    });

  token
    .command('revoke')
    .description('revoke a token by id')
    .argument('<id>', 'token id, from `flotilla token list`')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const res = await clientFor(cmd.optsWithGlobals<ClientFlags>(), io).revokeToken(id);
      io.err(`token ${res.revoked} revoked\n`);
    });
}
