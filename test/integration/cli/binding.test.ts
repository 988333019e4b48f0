// `flotilla binding add|list|rm` through the built CLI against a real daemon: bindings of OIDC groups
// and subjects made, listed (daemon.yaml's bootstrap ones first) and removed; one subject or group
// exactly; a bad scope refused before anything is stored; a scoped admin refused (77).
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { initControlPlane, isolatedEnv, startDaemonProcess } from '../../harness/control-plane.js';
import { assertBuilt, killAll, runCli, type Proc } from '../../harness/proc.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';

let env: NodeJS.ProcessEnv;
let daemon: Proc;

const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => runCli(args, { env: { ...env, ...extra } });

beforeAll(async () => {
  assertBuilt();
  const dataDir = tempDir('flotilla-cli-binding-');
  const home = isolatedEnv();
  const init = await initControlPlane(dataDir, home);
  const config = parse(readFileSync(init.configPath, 'utf8')) as Record<string, unknown>;
  config.auth = { bindings: [{ group: 'platform-admins', role: 'admin' }] };
  writeFileSync(init.configPath, stringify(config));
  let url: string;
  ({ daemon, url } = await startDaemonProcess(init.configPath, home));
  env = { ...home, FLOTILLA_SERVER: url, FLOTILLA_TOKEN: init.token };
});

afterAll(async () => {
  await daemon?.stop();
  killAll();
  cleanupTempDirs();
});

describe('flotilla binding', () => {
  it('adds, lists and removes bindings; those of daemon.yaml stay', async () => {
    const added = await cli(['binding', 'add', '--group', 'payments-oncall', '--role', 'operator', '--scope', 'team=payments,env!=prod']);
    expect(added.code, added.stderr).toBe(0);
    const id = added.stdout.trim();
    expect(id).toMatch(/^bnd_[0-9a-f]{12}$/);
    expect(added.stderr).toBe(`binding ${id}: group payments-oncall is operator on team=payments,env!=prod; signed-in sessions it changes reconnect with it\n`);
    expect((await cli(['binding', 'add', '--subject', 'u-1', '--role', 'viewer'])).code).toBe(0);

    const table = await cli(['binding', 'list']);
    expect(table.code, table.stderr).toBe(0);
    const rows = table.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^ID +KIND +NAME +ROLE +SCOPE +SOURCE +CREATED +BY$/);
    expect(rows[1]).toMatch(/^config:1 +group +platform-admins +admin +\* +daemon\.yaml +- +-$/);
    expect(rows[2]).toMatch(new RegExp(`^${id} +group +payments-oncall +operator +team=payments,env!=prod +api +\\S+ +tok_`));
    expect(rows[3]).toMatch(/ subject +u-1 +viewer +\* +api /);

    const json = JSON.parse((await cli(['binding', 'list', '--json'])).stdout) as { id: string; source: string }[];
    expect(json.map((b) => b.source)).toEqual(['config', 'api', 'api']);

    const rm = await cli(['binding', 'rm', id]);
    expect(rm.code, rm.stderr).toBe(0);
    expect(rm.stderr).toBe(`binding ${id} (group payments-oncall, operator on team=payments,env!=prod) removed\n`);
    const again = await cli(['binding', 'rm', id]);
    expect(again.code).toBe(64);
    expect(again.stderr).toMatch(/no binding with id/);
    const config = await cli(['binding', 'rm', 'config:1']);
    expect(config.stderr).toMatch(/comes from daemon\.yaml \(auth\.bindings\)\nnext: Remove it from auth\.bindings in daemon\.yaml and restart the daemon\./);
  });

  it('takes exactly one of --group and --subject, and a valid scope', async () => {
    for (const args of [['--role', 'viewer'], ['--group', 'g', '--subject', 's', '--role', 'viewer']]) {
      const r = await cli(['binding', 'add', ...args]);
      expect(r.code).toBe(64);
      expect(r.stderr).toMatch(/give exactly one of --group and --subject/);
    }
    const bad = await cli(['binding', 'add', '--group', 'g', '--role', 'viewer', '--scope', '=payments']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/is neither key=value/);
    expect(JSON.parse((await cli(['binding', 'list', '--json'])).stdout)).toHaveLength(2);
  });

  it('is for admins over the whole fleet only', async () => {
    const scoped = await cli(['token', 'create', '--role', 'admin', '--scope', 'team=payments']);
    const r = await cli(['binding', 'list'], { FLOTILLA_TOKEN: scoped.stdout.trim() });
    expect(r.code).toBe(77);
    expect(r.stderr).toMatch(/binding\.read needs the admin role over the whole fleet/);
  });
});
