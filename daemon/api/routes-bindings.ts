// Bindings of OIDC subjects and groups (docs/ACCESS.md), and what `flotilla login` needs to sign in.
// Bindings are control-plane state like tokens: admin over the whole fleet only.
import type { OidcLoginInfo } from '../../core/api.js';
import { FlotillaError } from '../../core/errors.js';
import { actorOf } from '../auth/actor.js';
import { audited } from '../auth/audited.js';
import { pathParam, type Route } from './route.js';
import { readJson } from './http.js';
import { validateBindingCreate } from './validate.js';

export const BINDING_ROUTES: Route[] = [
  {
    method: 'GET',
    path: '/api/v1/auth/oidc',
    pattern: /^\/api\/v1\/auth\/oidc$/,
    auth: 'none',
    handle: async (ctx) => {
      const oidc = ctx.config.auth.oidc;
      if (!oidc) throw new FlotillaError('not_found', 'this daemon has no OIDC sign-in (auth.oidc is not configured)', 'Use an API token (--token, FLOTILLA_TOKEN), or ask the operator to configure auth.oidc in daemon.yaml (docs/ACCESS.md).');
      const info: OidcLoginInfo = { issuer: oidc.issuer, clientId: oidc.clientId, scopes: oidc.scopes };
      return [200, info];
    },
  },
  {
    method: 'GET',
    path: '/api/v1/bindings',
    pattern: /^\/api\/v1\/bindings$/,
    action: 'binding.read',
    handle: async (ctx) => [200, { items: ctx.bindings.list() }],
  },
  {
    method: 'POST',
    path: '/api/v1/bindings',
    pattern: /^\/api\/v1\/bindings$/,
    action: 'binding.create',
    mutating: true,
    handle: async (ctx, call) => {
      const input = validateBindingCreate(await readJson(call.req));
      const actor = actorOf(call.identity);
      const created = audited(ctx.registry, { actor, action: 'binding.create', target: `${input.kind}:${input.name}`, detail: { role: input.role, scope: input.scope } }, () => {
        const b = ctx.registry.bindings.create({ ...input, createdBy: actor.id });
        return { result: b, detail: { bindingId: b.id } };
      });
      ctx.onBindingsChanged();
      return [201, created];
    },
  },
  {
    method: 'DELETE',
    path: '/api/v1/bindings/:id',
    pattern: /^\/api\/v1\/bindings\/([^/]+)$/,
    action: 'binding.remove',
    mutating: true,
    handle: async (ctx, call) => {
      const id = pathParam(call);
      const removed = audited(ctx.registry, { actor: actorOf(call.identity), action: 'binding.remove', target: id }, () => {
        if (id.startsWith('config:')) throw new FlotillaError('conflict', `binding ${id.slice(0, 80)} comes from daemon.yaml (auth.bindings)`, 'Remove it from auth.bindings in daemon.yaml and restart the daemon.');
        const b = ctx.registry.bindings.delete(id);
        if (!b) throw new FlotillaError('not_found', `no binding with id "${id.slice(0, 80)}"`, 'List bindings with `flotilla binding list`.');
        return { result: b, detail: { kind: b.kind, name: b.name, role: b.role, scope: b.scope } };
      });
      ctx.onBindingsChanged();
      return [200, { removed }];
    },
  },
];
