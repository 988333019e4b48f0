import { describe, expect, it } from 'vitest';
import { usageMessage } from '../../../harness/errors.js';
import { parseParams } from '../../../../cli/commands/job.js';

describe('CLI --param parsing', () => {
  it('reads JSON values where they parse, strings otherwise, and lists for namespaces', () => {
    expect(parseParams(['replicas=3', 'name=web', 'teardown=true', 'namespaces=apps,web', 'namespaces=db', 'objects=[{"kind":"ConfigMap"}]'])).toEqual({
      replicas: 3,
      name: 'web',
      teardown: true,
      namespaces: ['apps', 'web', 'db'],
      objects: [{ kind: 'ConfigMap' }],
    });
    expect(parseParams(['keys=password'])).toEqual({ keys: ['password'] });
    expect(parseParams(['tag=1', 'tag=x'])).toEqual({ tag: [1, 'x'] });
    expect(usageMessage(() => parseParams(['novalue']))).toMatch(/not key=value/);
  });
});
