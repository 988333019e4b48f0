// The control-plane backup endpoints of docs/API.md: take a backup now, list the backups in the store.
// Admin only, like the token routes.
import type { Route } from './routes.js';

export const BACKUP_ROUTES: Route[] = [
  {
    method: 'GET',
    path: '/api/v1/backups',
    pattern: /^\/api\/v1\/backups$/,
    role: 'admin',
    handle: async (ctx) => [200, { items: await ctx.backups.list() }],
  },
  {
    method: 'POST',
    path: '/api/v1/backups',
    pattern: /^\/api\/v1\/backups$/,
    role: 'admin',
    audit: 'controlplane.backup',
    handle: async (ctx, call) => [201, { backup: await ctx.backups.take({ id: call.identity.tokenId, name: call.identity.name }, 'manual') }],
  },
];
