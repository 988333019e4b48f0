// Bindings made through the API: a role over a cluster scope for an OIDC subject or group. Those of
// daemon.yaml (auth.bindings) join them in daemon/auth/bindings.ts and are never stored.
import { randomBytes } from 'node:crypto';
import type { BindingInfo, BindingKind } from '../../core/api.js';
import type { Role } from '../../core/roles.js';
import type { Db } from './db.js';

interface BindingRow {
  id: string;
  kind: BindingKind;
  name: string;
  role: Role;
  scope: string | null;
  created_at: string;
  created_by: string;
}

function info(r: BindingRow): BindingInfo {
  return { id: r.id, kind: r.kind, name: r.name, role: r.role, scope: r.scope, source: 'api', createdAt: r.created_at, createdBy: r.created_by };
}

export class BindingRepo {
  private readonly insert;
  private readonly listAll;
  private readonly byNames;
  private readonly byId;
  private readonly remove;

  constructor(db: Db) {
    this.insert = db.prepare('INSERT INTO bindings (id, kind, name, role, scope, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.listAll = db.prepare<[], BindingRow>('SELECT * FROM bindings ORDER BY created_at, id');
    // One query for the subject and all its groups: json_each over the groups array keeps it one statement.
    this.byNames = db.prepare<[string, string], BindingRow>("SELECT * FROM bindings WHERE (kind = 'subject' AND name = ?) OR (kind = 'group' AND name IN (SELECT value FROM json_each(?)))");
    this.byId = db.prepare<[string], BindingRow>('SELECT * FROM bindings WHERE id = ?');
    this.remove = db.prepare('DELETE FROM bindings WHERE id = ?');
  }

  /** `scope` normalizeScope'd; null for the whole fleet. */
  create(b: { kind: BindingKind; name: string; role: Role; scope: string | null; createdBy: string; now?: Date }): BindingInfo {
    const id = `bnd_${randomBytes(6).toString('hex')}`;
    const row: BindingRow = { id, kind: b.kind, name: b.name, role: b.role, scope: b.scope, created_at: (b.now ?? new Date()).toISOString(), created_by: b.createdBy };
    this.insert.run(row.id, row.kind, row.name, row.role, row.scope, row.created_at, row.created_by);
    return info(row);
  }

  list(): BindingInfo[] {
    return this.listAll.all().map(info);
  }

  get(id: string): BindingInfo | undefined {
    const row = this.byId.get(id);
    return row ? info(row) : undefined;
  }

  /** The bindings of this subject and of any of these groups. */
  forSubject(subject: string, groups: readonly string[]): BindingInfo[] {
    return this.byNames.all(subject, JSON.stringify(groups)).map(info);
  }

  /** Returns the removed binding, undefined when there is none with this id. */
  delete(id: string): BindingInfo | undefined {
    const found = this.get(id);
    if (found) this.remove.run(id);
    return found;
  }
}
