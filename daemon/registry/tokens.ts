// API tokens. Only the SHA-256 of a secret is stored; the secret is returned once at creation.
import { randomBytes } from 'node:crypto';
import type { Identity, TokenInfo } from '../../core/api.js';
import { tokenHash } from '../../core/registration.js';
import type { Role } from '../../core/roles.js';
import type { Db } from './db.js';

interface TokenRow {
  id: string;
  name: string;
  role: Role;
  hash: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
  scope: string | null;
}

export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

function info(r: TokenRow): TokenInfo {
  return { id: r.id, name: r.name, role: r.role, scope: r.scope, createdAt: r.created_at, expiresAt: r.expires_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at };
}

export type TokenLookup = { ok: true; identity: Identity } | { ok: false; why: 'unknown' | 'expired' | 'revoked' };

export class TokenRepo {
  private readonly insert;
  private readonly byHash;
  private readonly byId;
  private readonly listAll;
  private readonly touch;
  private readonly revokeStmt;

  constructor(db: Db) {
    this.insert = db.prepare('INSERT INTO tokens (id, name, role, hash, created_at, expires_at, scope) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.byHash = db.prepare<[string], TokenRow>('SELECT * FROM tokens WHERE hash = ?');
    this.byId = db.prepare<[string], TokenRow>('SELECT * FROM tokens WHERE id = ?');
    this.listAll = db.prepare<[], TokenRow>('SELECT * FROM tokens ORDER BY created_at, id');
    this.touch = db.prepare('UPDATE tokens SET last_used_at = ? WHERE id = ?');
    this.revokeStmt = db.prepare('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
  }

  /** `scope`: the label selector the role holds over (normalizeScope'd), null or absent for the whole fleet. */
  create(opts: { role: Role; name: string; expiresAt: string | null; scope?: string | null; now?: Date }): TokenInfo & { token: string } {
    const token = newSecret('flt');
    const id = `tok_${randomBytes(6).toString('hex')}`;
    const createdAt = (opts.now ?? new Date()).toISOString();
    const scope = opts.scope ?? null;
    this.insert.run(id, opts.name, opts.role, tokenHash(token), createdAt, opts.expiresAt, scope);
    return { id, name: opts.name, role: opts.role, scope, createdAt, expiresAt: opts.expiresAt, lastUsedAt: null, revokedAt: null, token };
  }

  lookup(secret: string, now: Date): TokenLookup {
    const row = this.byHash.get(tokenHash(secret));
    if (!row) return { ok: false, why: 'unknown' };
    if (row.revoked_at) return { ok: false, why: 'revoked' };
    if (row.expires_at && Date.parse(row.expires_at) <= now.getTime()) return { ok: false, why: 'expired' };
    return { ok: true, identity: { provider: 'token', subject: row.id, name: row.name, role: row.role, grants: [{ role: row.role, scope: row.scope }] } };
  }

  get(id: string): TokenInfo | undefined {
    const row = this.byId.get(id);
    return row ? info(row) : undefined;
  }

  list(): TokenInfo[] {
    return this.listAll.all().map(info);
  }

  markUsed(id: string, at: Date): void {
    this.touch.run(at.toISOString(), id);
  }

  /** Returns false when the token does not exist or is already revoked. */
  revoke(id: string, at: Date): boolean {
    return this.revokeStmt.run(at.toISOString(), id).changes === 1;
  }
}
