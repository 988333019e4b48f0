// `flotilla metrics config` flags to generator inputs: which config, what each flag applies to, the
// central file_sd targets from the cluster list, and the canonical command a file names.
import { describe, expect, it } from 'vitest';
import { canonicalCommand, centralInput, centralTargets, configTarget, edgeInput } from '../../../cli/metrics-config.js';
import { FlotillaError } from '../../../core/errors.js';

function refusal(f: () => unknown): FlotillaError {
  try {
    f();
  } catch (e) {
    if (e instanceof FlotillaError) return e;
    throw e;
  }
  throw new Error('did not throw');
}

describe('configTarget', () => {
  it('is exactly one of --edge and --central', () => {
    expect(configTarget({ edge: 'prod-1' })).toEqual({ kind: 'edge', cluster: 'prod-1' });
    expect(configTarget({ central: true })).toEqual({ kind: 'central' });
    expect(refusal(() => configTarget({})).message).toMatch(/exactly one of --edge CLUSTER and --central/);
    expect(refusal(() => configTarget({ edge: 'a', central: true })).kind).toBe('usage');
    expect(refusal(() => configTarget({ edge: 'Not_A_Name' })).message).toMatch(/not a valid cluster name/);
  });

  it('refuses a flag of the other kind, naming it', () => {
    expect(refusal(() => configTarget({ central: true, backend: 'sim', agentTarget: 'x:1' })).message).toBe('--backend, --agent-target apply to --edge only');
    expect(refusal(() => configTarget({ edge: 'a', edgePattern: '{cluster}:1' })).message).toBe('--edge-pattern applies to --central only');
    expect(refusal(() => configTarget({ edge: 'a', cluster: ['b'] })).next).toMatch(/Drop --cluster/);
  });
});

describe('edgeInput', () => {
  it('defaults to kube and federation, and passes only what was given', () => {
    expect(edgeInput('a', {})).toEqual({ cluster: 'a', backend: 'kube', mode: 'federate' });
    expect(edgeInput('a', { backend: 'sim', agentTarget: '127.0.0.1:9464', scrapeInterval: '15s', retention: '6h', listen: '0.0.0.0:9091', configPath: '/etc/p.yml', storagePath: '/var/p' })).toEqual({
      cluster: 'a',
      backend: 'sim',
      mode: 'federate',
      agentTarget: '127.0.0.1:9464',
      scrapeInterval: '15s',
      retention: '6h',
      listenAddress: '0.0.0.0:9091',
      configFile: '/etc/p.yml',
      storagePath: '/var/p',
    });
    expect(edgeInput('a', { mode: 'remote-write', remoteWriteUrl: 'https://c/api/v1/write', prometheusVersion: '3', ksmNamespace: 'monitoring' })).toEqual({
      cluster: 'a',
      backend: 'kube',
      mode: 'remote-write',
      remoteWriteUrl: 'https://c/api/v1/write',
      kube: { kubeStateMetricsNamespace: 'monitoring' },
      prometheusMajor: 3,
    });
  });

  it.each([
    [{ backend: 'docker' }, /--backend takes sim or kube/],
    [{ mode: 'push' }, /--mode takes federate or remote-write/],
    [{ backend: 'sim' }, /--backend sim needs --agent-target/],
    [{ mode: 'remote-write' }, /needs --remote-write-url/],
    [{ remoteWriteUrl: 'https://c/w' }, /applies to --mode remote-write only/],
    [{ backend: 'sim', agentTarget: 'a:1', ksmService: 'x' }, /apply to --backend kube only/],
    [{ prometheusVersion: '4' }, /--prometheus-version takes 2 or 3/],
  ])('refuses %j', (flags, message) => {
    const e = refusal(() => edgeInput('a', flags));
    expect(e.kind).toBe('usage');
    expect(e.message).toMatch(message);
  });
});

describe('centralTargets', () => {
  it('puts each cluster at the pattern, or at its own --edge-target; remote-write clusters are left out', () => {
    expect(centralTargets(['a', 'b', 'c'], {})).toEqual([
      { name: 'a', federateUrl: 'a:9090' },
      { name: 'b', federateUrl: 'b:9090' },
      { name: 'c', federateUrl: 'c:9090' },
    ]);
    expect(centralTargets(['a', 'b', 'c'], { edgePattern: 'https://edge.example/{cluster}/prom', edgeTarget: ['b=10.0.0.2:9090'], remoteWriteCluster: ['c'] })).toEqual([
      { name: 'a', federateUrl: 'https://edge.example/a/prom' },
      { name: 'b', federateUrl: '10.0.0.2:9090' },
    ]);
  });

  it.each([
    [{ edgePattern: 'prom:9090' }, /has no \{cluster\}/],
    [{ edgeTarget: ['a'] }, /not NAME=ADDRESS/],
    [{ edgeTarget: ['a='] }, /not NAME=ADDRESS/],
    [{ edgeTarget: ['zz=x:1'] }, /names cluster "zz", which is not in the cluster list/],
    [{ remoteWriteCluster: ['zz'] }, /names cluster "zz"/],
    [{ edgeTarget: ['a=x:1'], remoteWriteCluster: ['a'] }, /both --edge-target and --remote-write-cluster/],
  ])('refuses %j', (flags, message) => {
    expect(refusal(() => centralTargets(['a', 'b'], flags)).message).toMatch(message);
  });
});

describe('centralInput', () => {
  it('turns the receiver on for --receiver or any remote-write cluster', () => {
    expect(centralInput({})).toEqual({ remoteWriteReceiver: false });
    expect(centralInput({ receiver: true }).remoteWriteReceiver).toBe(true);
    expect(centralInput({ remoteWriteCluster: ['a'], retention: '30d' })).toEqual({ remoteWriteReceiver: true, retention: '30d' });
  });
});

describe('canonicalCommand', () => {
  it('names the flags that shape the files in a fixed order, not --out, --force or --json', () => {
    expect(canonicalCommand('config', { agentTarget: 'x:1', backend: 'sim', edge: 'a', out: '/tmp/x', force: true, json: true })).toBe('flotilla metrics config --edge a --backend sim --agent-target x:1');
    expect(canonicalCommand('config', { central: true, remoteWriteCluster: ['z', 'b'], cluster: ['y', 'x'] }, ['y', 'x'])).toBe('flotilla metrics config --central --remote-write-cluster b --remote-write-cluster z --cluster x --cluster y');
  });
});
