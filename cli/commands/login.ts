// `flotilla login` and `flotilla logout`: sign in to a daemon with its OpenID provider by the OAuth
// 2.0 device authorization grant (RFC 8628) — the code is entered on any device with a browser, so
// it works over SSH on a host without one — and keep the session under $XDG_STATE_HOME/flotilla
// (0600); every command and the console then send its ID token, refreshed before it expires.
import type { Command } from 'commander';
import type { Identity } from '../../core/api.js';
import { FlotillaError } from '../../core/errors.js';
import { resolveClient, type ClientFlags } from '../client-config.js';
import { FlotillaClient } from '../client.js';
import type { Io } from '../io.js';
import { discover, revoke, startDeviceLogin, waitForDeviceLogin } from '../login/oidc-client.js';
import { removeSession, sessionFromTokens, sessionsPath, writeSession } from '../login/session-store.js';
import { renderJson } from '../table.js';
import { caTransport } from '../transport.js';

function grantsText(who: Identity): string {
  const grants = who.grants ?? [{ role: who.role, scope: null }];
  return grants.map((g) => `${g.role} on ${g.scope ?? 'the whole fleet'}`).join(', ');
}

export function registerLogin(program: Command, io: Io): void {
  program
    .command('login')
    .description("sign in to the daemon with its OpenID provider (device code: open the link on any device)")
    .option('--json', 'print the signed-in identity as JSON when done')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const resolved = resolveClient({ ...cmd.optsWithGlobals<ClientFlags>(), token: undefined }, { ...io.env, FLOTILLA_TOKEN: '' });
      const transport = resolved.caFile ? { transport: caTransport(resolved.caFile) } : {};
      const daemon = new FlotillaClient({ server: resolved.server, ...transport });
      const info = await daemon.oidcLoginInfo();
      const config = await discover(info.issuer, info.clientId);
      const device = await startDeviceLogin(config, info.scopes.join(' '));
      const minutes = Math.max(1, Math.round(device.expiresIn / 60));
      io.err(`To sign in to ${resolved.server}, open\n\n  ${device.verificationUri}\n\non any device and enter the code\n\n  ${device.userCode}\n\n`);
      if (device.verificationUriComplete) io.err(`(or open ${device.verificationUriComplete})\n`);
      io.err(`Waiting for the approval (the code is good for ${minutes} minute${minutes === 1 ? '' : 's'}; Ctrl-C to give up)…\n`);
      const abort = new AbortController();
      const onSigint = () => abort.abort(new FlotillaError('usage', 'sign-in cancelled', 'Run `flotilla login` again when ready.'));
      process.once('SIGINT', onSigint);
      let tokens;
      try {
        tokens = await waitForDeviceLogin(config, device.handle, { signal: abort.signal });
      } finally {
        process.removeListener('SIGINT', onSigint);
      }
      const session = sessionFromTokens(resolved.server, info.issuer, info.clientId, tokens);
      // Asked before the session is kept: a token the daemon refuses (another provider, a clock far off) is no sign-in.
      let who: Identity | undefined;
      let unbound: FlotillaError | undefined;
      try {
        who = await new FlotillaClient({ server: resolved.server, token: tokens.idToken, ...transport }).whoami();
      } catch (e) {
        if (!(e instanceof FlotillaError) || e.kind !== 'forbidden') throw e;
        unbound = e;
      }
      await writeSession(io.env, session);
      if (opts.json) {
        io.out(renderJson({ server: session.server, subject: session.subject, name: session.name, expiresAt: new Date(session.expiresAt).toISOString(), identity: who ?? null }));
      }
      if (who) io.err(`signed in to ${session.server} as ${who.name} (subject ${who.subject}): ${grantsText(who)}; the session is in ${sessionsPath(io.env)}\n`);
      else if (unbound) io.err(`signed in to ${session.server} as ${session.name} (subject ${session.subject}), but ${unbound.message}\nnext: ${unbound.next}\n`);
    });

  program
    .command('logout')
    .description('forget the sign-in to the daemon and revoke its refresh token at the provider')
    .action(async (_opts: unknown, cmd: Command) => {
      const resolved = resolveClient({ ...cmd.optsWithGlobals<ClientFlags>(), token: undefined }, { ...io.env, FLOTILLA_TOKEN: '' });
      const session = await removeSession(io.env, resolved.server);
      if (!session) {
        io.err(`not signed in to ${resolved.server}; nothing to do\n`);
        return;
      }
      let revoked = false;
      if (session.refreshToken) {
        try {
          revoked = await revoke(await discover(session.issuer, session.clientId), session.refreshToken);
        } catch {
          revoked = false;
        }
      }
      const at = session.refreshToken ? (revoked ? '; its refresh token is revoked at the provider' : '; the provider did not confirm revoking its refresh token, which expires on its own') : '';
      io.err(`signed out of ${session.server} (${session.name})${at}\n`);
    });
}
