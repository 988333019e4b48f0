import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { AuditLog, GENESIS_HASH, verifyChain } from '../../../../daemon/registry/audit.js';
import { canonicalJson } from '../../../../daemon/registry/canonical.js';
import { migrate } from '../../../../daemon/registry/db.js';

function log(): { db: Database.Database; audit: AuditLog } {
  const db = new Database(':memory:');
  migrate(db);
  return { db, audit: new AuditLog(db) };
}

const actor = { id: 'tok_1', name: 'alice' };

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
  });
});

describe('audit hash chain', () => {
  it('links each record to the previous one from the genesis hash', () => {
    const { audit } = log();
    const a = audit.append({ actor, action: 'cluster.add', target: 'c1', allowed: true, detail: { labels: { env: 'prod' } } });
    const b = audit.append({ actor, action: 'cluster.remove', target: 'c1', allowed: false });
    expect(a.seq).toBe(1);
    expect(a.prevHash).toBe(GENESIS_HASH);
    expect(b.prevHash).toBe(a.hash);
    expect(audit.verify()).toEqual({ ok: true, count: 2 });
    expect(audit.list(10).map((r) => r.seq)).toEqual([2, 1]);
  });

  it('detects an edited record', () => {
    const { db, audit } = log();
    audit.append({ actor, action: 'token.create', target: 'ci', allowed: true });
    audit.append({ actor, action: 'token.revoke', target: 'tok_2', allowed: true });
    db.prepare("UPDATE audit SET allowed = 0 WHERE seq = 1").run();
    const r = audit.verify();
    expect(r).toMatchObject({ ok: false, brokenAt: 1, problem: 'hash does not match the record content' });
  });

  it('detects a deleted record', () => {
    const { db, audit } = log();
    for (let i = 0; i < 3; i += 1) audit.append({ actor, action: 'cluster.add', target: `c${i}`, allowed: true });
    db.prepare('DELETE FROM audit WHERE seq = 2').run();
    expect(audit.verify()).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('verifies exported records without the database', () => {
    const { audit } = log();
    audit.append({ actor, action: 'cluster.add', target: 'c1', allowed: true, detail: { n: 1 } });
    const exported = JSON.parse(JSON.stringify(audit.list(10).reverse()));
    expect(verifyChain(exported)).toEqual({ ok: true, count: 1 });
    exported[0].detail.n = 2;
    expect(verifyChain(exported).ok).toBe(false);
  });

  it('refuses the mutation when the audit write fails inside its transaction', () => {
    const { db, audit } = log();
    db.exec('CREATE TABLE things (x TEXT)');
    db.exec("CREATE TRIGGER no_audit BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    expect(() =>
      db.transaction(() => {
        db.prepare("INSERT INTO things VALUES ('a')").run();
        audit.append({ actor, action: 'cluster.add', target: 'a', allowed: true });
      })(),
    ).toThrow(/disk full/);
    expect(db.prepare('SELECT COUNT(*) AS n FROM things').get()).toEqual({ n: 0 });
  });
});
