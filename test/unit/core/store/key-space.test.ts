import { describe, expect, it } from 'vitest';
import { clusterOf, dirRole, keyRole } from '../../../../core/store/key-space.js';
import { storeKeys } from '../../../../core/store/types.js';

describe('keyRole', () => {
  it('names every key of the layout, with its cluster', () => {
    expect(keyRole(storeKeys.status('prod-1'))).toEqual({ role: 'status', cluster: 'prod-1' });
    expect(keyRole(storeKeys.registration('prod-1'))).toEqual({ role: 'registration', cluster: 'prod-1' });
    expect(keyRole(storeKeys.job('prod-1', 42))).toEqual({ role: 'job', cluster: 'prod-1' });
    expect(keyRole(storeKeys.result('prod-1', 42))).toEqual({ role: 'result', cluster: 'prod-1' });
    expect(keyRole(storeKeys.config('prod-1', 'logging'))).toEqual({ role: 'config', cluster: 'prod-1' });
    expect(keyRole(storeKeys.backupManifest('prod-1', 'b1'))).toEqual({ role: 'backup', cluster: 'prod-1' });
    expect(keyRole(storeKeys.backupObject('prod-1', 'b1', 'deploy-0.json'))).toEqual({ role: 'backup', cluster: 'prod-1' });
    expect(keyRole(storeKeys.controlPlaneKey())).toEqual({ role: 'controlplane-key' });
    expect(keyRole('controlplane/backups/2025-06-01/registry.json')).toEqual({ role: 'controlplane-backup' });
  });

  it('has no role for anything else', () => {
    for (const junk of [
      'clusters/prod-1/notes.txt',
      'clusters/prod-1/status.json.bak',
      'clusters/prod-1/jobs/1.json',
      'clusters/prod-1/jobs/000000000001.json.tmp',
      'clusters/prod-1/results/000000000001.json/inside',
      'clusters/prod-1/config/sub/logging.json',
      'clusters/prod-1/backups/manifest.json',
      'clusters/Prod_1/status.json',
      'clusters/status.json',
      'clusters/prod-1',
      'controlplane/other.json',
      'elsewhere/status.json',
    ]) {
      expect(keyRole(junk), junk).toBeNull();
    }
  });
});

describe('dirRole', () => {
  it('names the directories of the layout and nothing else', () => {
    expect(dirRole('clusters/')).toBe('clusters');
    expect(dirRole('clusters/prod-1/')).toBe('cluster');
    expect(dirRole('clusters/prod-1/jobs/')).toBe('jobs');
    expect(dirRole('clusters/prod-1/results/')).toBe('results');
    expect(dirRole('clusters/prod-1/config/')).toBe('config');
    expect(dirRole('clusters/prod-1/backups/')).toBe('backups');
    expect(dirRole('clusters/prod-1/backups/b1/objects/')).toBe('backups');
    expect(dirRole('controlplane/')).toBe('controlplane');
    expect(dirRole('controlplane/backups/b1/')).toBe('controlplane-backups');
    for (const junk of ['clusters/prod-1/notes/', 'clusters/prod-1/results/old/', 'clusters/Prod_1/', 'clusters/prod-1/status.json/', 'elsewhere/', 'clusters/prod-1']) {
      expect(dirRole(junk), junk).toBeNull();
    }
  });
});

describe('clusterOf', () => {
  it('gives the cluster of a key or directory key when it is a valid cluster name', () => {
    expect(clusterOf('clusters/prod-1/notes.txt')).toBe('prod-1');
    expect(clusterOf('clusters/prod-1/')).toBe('prod-1');
    expect(clusterOf('clusters/Prod_1/status.json')).toBeNull();
    expect(clusterOf('clusters/junk.txt')).toBeNull();
    expect(clusterOf('controlplane/public-key.json')).toBeNull();
  });
});
