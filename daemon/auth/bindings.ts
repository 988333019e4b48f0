// Every binding the daemon knows: daemon.yaml's auth.bindings (read at start, fixed) and those made
// with `flotilla binding add` (the registry). The grants of an OIDC identity are the bindings of its
// subject and of each of its groups (docs/ACCESS.md).
import type { ConfigBinding } from '../../config/auth-schema.js';
import { normalizeScope, type Grant } from '../../core/access.js';
import type { BindingInfo } from '../../core/api.js';
import type { BindingRepo } from '../registry/bindings.js';

export class Bindings {
  private readonly fromConfig: BindingInfo[];

  constructor(
    private readonly repo: BindingRepo,
    config: readonly ConfigBinding[],
  ) {
    this.fromConfig = config.map((b, i) => ({
      id: `config:${i + 1}`,
      kind: b.subject !== undefined ? 'subject' : 'group',
      name: (b.subject ?? b.group) as string,
      role: b.role,
      scope: normalizeScope(b.scope),
      source: 'config',
      createdAt: null,
      createdBy: null,
    }));
  }

  list(): BindingInfo[] {
    return [...this.fromConfig, ...this.repo.list()];
  }

  /** The bindings that apply to this subject with these groups. */
  matching(subject: string, groups: readonly string[]): BindingInfo[] {
    const named = new Set(groups);
    const config = this.fromConfig.filter((b) => (b.kind === 'subject' ? b.name === subject : named.has(b.name)));
    return [...config, ...this.repo.forSubject(subject, groups)];
  }

  grantsFor(subject: string, groups: readonly string[]): Grant[] {
    const seen = new Set<string>();
    const grants: Grant[] = [];
    for (const b of this.matching(subject, groups)) {
      const key = `${b.role}:${b.scope ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      grants.push({ role: b.role, scope: b.scope });
    }
    return grants;
  }
}
