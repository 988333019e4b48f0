// The control-plane backup endpoints of docs/API.md: take a backup now, list the backups in the store.
// Admin only (backup.read, controlplane.backup in core/roles.ts).
import { actorOf } from '../auth/actor.js';
import type { Route } from './route.js';

export const BACKUP_ROUTES: Route[] = [
  {
    method: 'GET',
    path: '/api/v1/backups',
    pattern: /^\/api\/v1\/backups$/,
    action: 'backup.read',
    handle: async (ctx) => [200, { items: await ctx.backups.list() }],
  },
  {
    method: 'POST',
    path: '/api/v1/backups',
    pattern: /^\/api\/v1\/backups$/,
    action: 'controlplane.backup',
    mutating: true,
    handle: async (ctx, call) => [201, { backup: await ctx.backups.take(actorOf(call.identity), 'manual') }],
  },
];
