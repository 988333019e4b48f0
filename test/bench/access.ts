// Identity benchmark (issue 10, "Benchmark").
// 1. Per-request cost of identity: Authenticator.authenticate against a real registry holding N API
//    tokens (half scoped), and authorize() with and without a cluster target, in this process.
//    1b. The same for OIDC ID tokens: authenticate through the real OidcVerifier against the JWKS of
//    a real OpenID provider (test/harness/oidc-provider.ts, its keys cached after the first call) and
//    the bindings of a real registry; and the refusals a flood of forged tokens costs (expired, a bad
//    signature under the provider's kid, an unknown kid while the JWKS refetch is cooling down).
// 2. The `fleet` topic's fan-out to many clients of distinct scopes vs the same number unscoped: a
//    real `flotilla daemon` process with M clusters whose agents report at a fixed rate, and one
//    client process (nice 10) holding every WebSocket; the daemon's CPU from /proc over a fixed
//    window per phase, and every frame checked against what its token may see.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { parseDocument } from 'yaml';
import { OidcConfigSchema } from '../../config/auth-schema.js';
import type { AgentConfig } from '../../config/schemas.js';
import { normalizeScope, type Labels } from '../../core/access.js';
import type { ClusterAddResponse, Identity } from '../../core/api.js';
import { FlotillaError } from '../../core/errors.js';
import type { ClusterRow } from '../../core/fleet.js';
import { silentLogger } from '../../core/log.js';
import { Authenticator, bearerToken } from '../../daemon/api/auth.js';
import { authorize } from '../../daemon/auth/authorize.js';
import { Bindings } from '../../daemon/auth/bindings.js';
import { OidcVerifier } from '../../daemon/auth/oidc.js';
import { visibleClusters } from '../../daemon/auth/scope.js';
import { initControlPlane } from '../../daemon/init.js';
import { Registry } from '../../daemon/registry/registry.js';
import { startOidcProvider } from '../harness/oidc-provider.js';
import { CLI } from '../harness/proc.js';
import { cleanupTempDirs, tempDir } from '../harness/tmp.js';
import type { Allow, ClientsSpec, Totals, WindowStats } from './access-clients.js';
import { ProcSampler } from './proc-sampler.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const load = () => loadavg().map((x) => Math.round(x * 100) / 100);
const teamName = (i: number) => `t${i}`;

// ---------------------------------------------------------------------------------------------
// 1. Token lookup and authorize

export interface CostCase {
  name: string;
  calls: number;
  /** Per call, timed one by one (includes the timer, see timerUs). */
  p50Us: number;
  p99Us: number;
  /** The same calls in an untimed loop, divided by their number. */
  meanUs: number;
}

export interface TokenCostResult {
  tokens: number;
  scopedTokens: number;
  clusters: number;
  /** p50 of timing an empty function: what each per-call figure carries on top. */
  timerUs: number;
  cases: CostCase[];
}

let sink = 0;

function measure(name: string, calls: number, fn: (i: number) => unknown): CostCase {
  for (let i = 0; i < Math.min(calls, 10_000); i++) if (fn(i)) sink += 1;
  const ns = new Float64Array(calls);
  for (let i = 0; i < calls; i++) {
    const t = process.hrtime.bigint();
    if (fn(i)) sink += 1;
    ns[i] = Number(process.hrtime.bigint() - t);
  }
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) if (fn(i)) sink += 1;
  const meanNs = Number(process.hrtime.bigint() - t0) / calls;
  ns.sort();
  const at = (q: number) => (ns[Math.min(calls - 1, Math.floor(q * calls))] as number) / 1000;
  return { name, calls, p50Us: at(0.5), p99Us: at(0.99), meanUs: meanNs / 1000 };
}

/** A cluster's labels in both benchmarks: `team=tK` (two clusters a team at 1,000 clusters and 500 teams) and an env. */
function clusterLabels(i: number, teams: number): Labels {
  return { team: teamName(i % teams), env: i % 4 === 0 ? 'prod' : 'staging' };
}

export function benchTokenCost(opts: { tokens: number; clusters: number; calls: number; log?: (s: string) => void }): TokenCostResult {
  const log = opts.log ?? (() => undefined);
  const dir = tempDir('flotilla-bench-access-');
  const registry = Registry.open(join(dir, 'registry.db'));
  try {
    const scopedTokens = Math.floor(opts.tokens / 2);
    const teams = Math.max(1, scopedTokens);
    log(`  registry with ${opts.clusters} clusters and ${opts.tokens} tokens (${scopedTokens} scoped)`);
    const now = new Date().toISOString();
    const names: string[] = [];
    const unscoped: string[] = [];
    const scoped: string[] = [];
    registry.tx(() => {
      for (let i = 0; i < opts.clusters; i++) {
        const name = `c-${String(i).padStart(5, '0')}`;
        names.push(name);
        registry.clusters.insert({ name, labels: { ...clusterLabels(i, teams) }, createdAt: now, expiresAt: null, intervalSeconds: 10, tokenHash: `h${i}` });
      }
      for (let i = 0; i < opts.tokens - scopedTokens; i++) unscoped.push(registry.tokens.create({ role: 'viewer', name: `viewer-${i}`, expiresAt: null }).token);
      for (let i = 0; i < scopedTokens; i++) scoped.push(registry.tokens.create({ role: 'viewer', name: `viewer-${teamName(i)}`, expiresAt: null, scope: normalizeScope(`team=${teamName(i)}`) }).token);
    });
    const auth = new Authenticator(registry.tokens);
    const header = (t: string) => `Bearer ${t}`;
    const unscopedHeaders = unscoped.map(header);
    const scopedHeaders = scoped.map(header);
    // Every token once, so each has had its one last_used_at write (the cache the brief calls warm).
    for (const h of [...unscopedHeaders, ...scopedHeaders]) auth.apiToken(bearerToken(h));
    const unscopedIds: Identity[] = unscopedHeaders.map((h) => auth.apiToken(bearerToken(h)));
    const scopedIds: Identity[] = scopedHeaders.map((h) => auth.apiToken(bearerToken(h)));
    const fromRegistry = (n: string) => registry.clusters.get(n)?.labels;
    const labelsMap = new Map(names.map((n, i) => [n, clusterLabels(i, teams)]));
    const fromMemory = (n: string) => labelsMap.get(n);
    // Scoped identity k (team tk) holds clusters k, k + teams, ...; outside: cluster k + 1.
    const inScope = (k: number) => names[k % names.length] as string;
    const outside = (k: number) => names[(k + 1) % names.length] as string;
    const rows = names.map((name, i) => ({ name, labels: clusterLabels(i, teams) }));
    const u = (i: number) => i % unscopedIds.length;
    const s = (i: number) => i % scopedIds.length;
    const n = opts.calls;
    const unknown = `Bearer flt_${'x'.repeat(43)}`;

    const cases: CostCase[] = [];
    const timer = measure('(empty function)', n, () => undefined);
    log('  authenticate');
    cases.push(measure('authenticate: unscoped token', n, (i) => auth.authenticate(unscopedHeaders[u(i)])));
    cases.push(measure('authenticate: scoped token (team=tK)', n, (i) => auth.authenticate(scopedHeaders[s(i)])));
    cases.push(
      measure('authenticate: unknown token (401)', n, () => {
        try {
          return auth.authenticate(unknown);
        } catch {
          return undefined;
        }
      }),
    );
    log('  authorize');
    cases.push(measure('authorize cluster.read, no target: unscoped', n, (i) => authorize(unscopedIds[u(i)]!, 'cluster.read').allowed));
    cases.push(measure('authorize cluster.read, no target: scoped', n, (i) => authorize(scopedIds[s(i)]!, 'cluster.read').allowed));
    cases.push(measure('authorize cluster.read on a cluster, labels from the registry: unscoped', n, (i) => authorize(unscopedIds[u(i)]!, 'cluster.read', { clusters: [inScope(i)] }, fromRegistry).allowed));
    cases.push(measure('authorize cluster.read on a cluster, labels from the registry: scoped, in scope', n, (i) => authorize(scopedIds[s(i)]!, 'cluster.read', { clusters: [inScope(s(i))] }, fromRegistry).allowed));
    cases.push(measure('authorize cluster.read on a cluster, labels from the registry: scoped, outside (denied)', n, (i) => authorize(scopedIds[s(i)]!, 'cluster.read', { clusters: [outside(s(i))] }, fromRegistry).allowed));
    cases.push(measure('authorize cluster.read on a cluster, labels from a Map: unscoped', n, (i) => authorize(unscopedIds[u(i)]!, 'cluster.read', { clusters: [inScope(i)] }, fromMemory).allowed));
    cases.push(measure('authorize cluster.read on a cluster, labels from a Map: scoped, in scope', n, (i) => authorize(scopedIds[s(i)]!, 'cluster.read', { clusters: [inScope(s(i))] }, fromMemory).allowed));
    cases.push(measure('registry.clusters.get (the labels lookup alone)', n, (i) => fromRegistry(inScope(i))));
    const listCalls = Math.max(100, Math.floor(n / 50));
    cases.push(measure(`visibleClusters over ${opts.clusters} clusters: unscoped`, listCalls, (i) => visibleClusters(unscopedIds[u(i)]!, 'cluster.read', () => rows)));
    cases.push(measure(`visibleClusters over ${opts.clusters} clusters: scoped`, listCalls, (i) => visibleClusters(scopedIds[s(i)]!, 'cluster.read', () => rows)?.length));
    if (sink < 0) log(String(sink));
    return { tokens: opts.tokens, scopedTokens, clusters: opts.clusters, timerUs: timer.p50Us, cases };
  } finally {
    registry.close();
    cleanupTempDirs();
  }
}

// ---------------------------------------------------------------------------------------------
// 1b. OIDC ID tokens: verification with a warm JWKS cache, and bindings

export interface IdTokenCase extends CostCase {
  /** Requests the verifier made to the provider during the case (warm-up included): JWKS refetches. */
  providerFetches: number;
}

export interface IdTokenCostResult {
  /** Group bindings in the registry (role viewer over `team=tK`), besides one subject binding a user. */
  bindings: number;
  users: number;
  /** Names in each token's groups claim, and how many of them a binding covers. */
  groupsPerToken: number;
  boundGroupsPerToken: number;
  jwksRefetchSeconds: number;
  /** p50 of awaiting an empty async function: what each per-call figure carries on top. */
  timerUs: number;
  cases: IdTokenCase[];
}

async function measureAsync(name: string, calls: number, fn: (i: number) => Promise<unknown>): Promise<CostCase> {
  for (let i = 0; i < Math.min(calls, 10_000); i++) if (await fn(i)) sink += 1;
  const ns = new Float64Array(calls);
  for (let i = 0; i < calls; i++) {
    const t = process.hrtime.bigint();
    if (await fn(i)) sink += 1;
    ns[i] = Number(process.hrtime.bigint() - t);
  }
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) if (await fn(i)) sink += 1;
  const meanNs = Number(process.hrtime.bigint() - t0) / calls;
  ns.sort();
  const at = (q: number) => (ns[Math.min(calls - 1, Math.floor(q * calls))] as number) / 1000;
  return { name, calls, p50Us: at(0.5), p99Us: at(0.99), meanUs: meanNs / 1000 };
}

/** The refusal's reason (`oidc.expired`, …), or `ok` for an identity: what a case asserts it measures. */
async function outcome(call: () => Identity | Promise<Identity>): Promise<string> {
  try {
    await call();
    return 'ok';
  } catch (e) {
    const reason = e instanceof FlotillaError ? e.details?.reason : undefined;
    return typeof reason === 'string' ? reason : String(e);
  }
}

export async function benchIdTokenCost(opts: { bindings: number; users: number; calls: number; log?: (s: string) => void }): Promise<IdTokenCostResult> {
  const log = opts.log ?? (() => undefined);
  const dir = tempDir('flotilla-bench-oidc-');
  const registry = Registry.open(join(dir, 'registry.db'));
  const provider = await startOidcProvider();
  // The verifier takes no fetch of its own: counting at the global one is how a refetch inside a case shows.
  const realFetch = globalThis.fetch;
  let fetches = 0;
  globalThis.fetch = (input, init) => {
    fetches += 1;
    return realFetch(input, init);
  };
  try {
    const teams = Math.max(1, opts.bindings);
    const groupsPerToken = 5;
    const boundGroupsPerToken = 2;
    log(`  registry with ${teams} group bindings and ${opts.users} subject bindings; provider ${provider.issuer}`);
    const now = new Date();
    registry.tx(() => {
      for (let i = 0; i < teams; i++) registry.bindings.create({ kind: 'group', name: `team-${teamName(i)}`, role: 'viewer', scope: normalizeScope(`team=${teamName(i)}`), createdBy: 'bench', now });
      for (let u = 0; u < opts.users; u++) registry.bindings.create({ kind: 'subject', name: `u-${u}`, role: 'operator', scope: normalizeScope(`team=${teamName(u % teams)},env!=prod`), createdBy: 'bench', now });
    });
    const config = OidcConfigSchema.parse({ issuer: provider.issuer, clientId: provider.clientId });
    const auth = new Authenticator(registry.tokens, new Bindings(registry.bindings, []), new OidcVerifier(config, silentLogger()));

    const [key] = (await provider.signingKeys()) as [JWK];
    const signer = await importJWK(key, 'RS256');
    const { privateKey: foreign } = await generateKeyPair('RS256');
    const iat = Math.floor(Date.now() / 1000);
    // Two groups a binding covers, three none does (a Keycloak token names every group of the user).
    const groupsOf = (u: number) => [`team-${teamName(u % teams)}`, `team-${teamName((u + 1) % teams)}`, 'staff', 'vpn-users', `office-${u % 7}`];
    const sign = (u: number, claims: { exp: number }, with_: { key: typeof signer; kid: string }) =>
      new SignJWT({ preferred_username: `user${u}`, groups: groupsOf(u), iat, ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: with_.kid })
        .setIssuer(provider.issuer)
        .setAudience(provider.clientId)
        .setSubject(`u-${u}`)
        .sign(with_.key);
    const real = { key: signer, kid: key.kid as string };
    const headers = (jwts: string[]) => jwts.map((t) => `Bearer ${t}`);
    const users = Array.from({ length: opts.users }, (_, u) => u);
    const valid = headers(await Promise.all(users.map((u) => sign(u, { exp: iat + 3600 }, real))));
    const expired = headers(await Promise.all(users.map((u) => sign(u, { exp: iat - 3600 }, real))));
    const unknownKid = headers(await Promise.all(users.map((u) => sign(u, { exp: iat + 3600 }, { key: foreign, kid: 'not-published' }))));
    // The flood a forger without the key can make with the provider's kid: a signature that does not verify.
    const badSignature = valid.map((h) => {
      const mid = h.length - 20;
      return `${h.slice(0, mid)}${h[mid] === 'A' ? 'B' : 'A'}${h.slice(mid + 1)}`;
    });

    // Each kind once, so the figures are of what they say: discovery and the first JWKS fetch happen here.
    const want: [string, string[], string][] = [
      ['valid', valid, 'ok'],
      ['expired', expired, 'oidc.expired'],
      ['unknown kid', unknownKid, 'oidc.unknown_key'],
      ['bad signature', badSignature, 'oidc.signature'],
    ];
    for (const [what, list, reason] of want) {
      const got = await outcome(() => auth.authenticate(list[0]));
      if (got !== reason) throw new Error(`${what} token: expected ${reason}, got ${got}`);
    }
    const who = await auth.authenticate(valid[0]);
    if (who.grants?.length !== boundGroupsPerToken + 1) throw new Error(`a valid token should hold ${boundGroupsPerToken + 1} grants, got ${JSON.stringify(who.grants)}`);

    const n = opts.calls;
    const at = (list: string[], i: number) => list[i % list.length];
    const refused = (list: string[]) => async (i: number) => {
      try {
        return await auth.authenticate(at(list, i));
      } catch {
        return undefined;
      }
    };
    const cases: IdTokenCase[] = [];
    const run = async (c: () => Promise<CostCase>) => {
      const before = fetches;
      const r = await c();
      cases.push({ ...r, providerFetches: fetches - before });
    };
    const timer = await measureAsync('(empty async function)', n, async () => undefined);
    log('  authenticate: ID tokens');
    await run(() => measureAsync('authenticate: valid ID token (RS256, verify + bindings)', n, (i) => Promise.resolve(auth.authenticate(at(valid, i)))));
    const verifier = new OidcVerifier(config, silentLogger());
    await verifier.verify(valid[0]!.slice('Bearer '.length));
    const bindings = new Bindings(registry.bindings, []);
    await run(() => measureAsync('OidcVerifier.verify alone: valid ID token', n, (i) => verifier.verify(at(valid, i)!.slice(7))));
    cases.push({ ...measure('Bindings.grantsFor alone (5 groups, 2 bound, + the subject)', n, (i) => bindings.grantsFor(`u-${i % opts.users}`, groupsOf(i % opts.users))), providerFetches: 0 });
    await run(() => measureAsync('authenticate: expired ID token (401)', n, refused(expired)));
    await run(() => measureAsync('authenticate: bad signature, the provider\'s kid (401)', n, refused(badSignature)));
    // Last and short, so the refetch its first call may make starts a cooldown that outlasts the case.
    await run(() => measureAsync('authenticate: unknown kid, refetch cooling down (401)', n, refused(unknownKid)));
    if (sink < 0) log(String(sink));
    return { bindings: teams, users: opts.users, groupsPerToken, boundGroupsPerToken, jwksRefetchSeconds: config.jwksRefetchSeconds, timerUs: timer.p50Us, cases };
  } finally {
    globalThis.fetch = realFetch;
    registry.close();
    await provider.stop();
    cleanupTempDirs();
  }
}

// ---------------------------------------------------------------------------------------------
// 2. Fleet fan-out to scoped clients

export type PhaseName = 'none' | 'unscoped' | 'scoped' | 'wide';
export const PHASES: readonly PhaseName[] = ['none', 'unscoped', 'scoped', 'wide'];

const PHASE_TEXT: Record<PhaseName, string> = {
  none: 'no clients',
  unscoped: 'viewer, no scope (one shared frame per event)',
  scoped: 'viewer, scope team=tK, a distinct K each',
  wide: 'viewer, scope team!=tK, a distinct K each',
};

export interface FanoutPhase {
  name: PhaseName;
  text: string;
  clients: number;
  /** Distinct scopes among the clients (distinct share keys in the fleet topic). */
  scopes: number;
  /** Clusters each client may see. */
  clustersEach: number;
  seconds: number;
  reportsPerSecond: number;
  daemonCores: number;
  /** daemonCores minus the no-clients phase: the fan-out's part; null without that phase. */
  fanoutCores: number | null;
  daemonRssPeakMiB: number;
  writerCores: number;
  load: { start: number[]; end: number[] };
  window: WindowStats | null;
  totals: Totals | null;
  clientCores: number | null;
  /** The window on CLOCK_MONOTONIC in µs (process.hrtime), the clock of a --cpu-prof profile's timestamps: for slicing BENCH_PROFILE's profile. */
  monotonicUs: { from: number; to: number };
}

export interface ScopedFanoutResult {
  clusters: number;
  clients: number;
  intervalSeconds: number;
  pollIntervalMs: number;
  warmupSeconds: number;
  measureSeconds: number;
  setupSeconds: number;
  phases: FanoutPhase[];
}

/** Lines of a child's stream, awaited by pattern in order; every line is read, so the pipe never fills. */
function lines(stream: NodeJS.ReadableStream, onLine: (line: string) => void = () => undefined) {
  const buffered: string[] = [];
  let waiter: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void } | undefined;
  createInterface({ input: stream }).on('line', (line) => {
    onLine(line);
    const m = waiter && line.match(waiter.pattern);
    if (m && waiter) {
      const w = waiter;
      waiter = undefined;
      w.resolve(m);
    } else buffered.push(line);
    if (buffered.length > 1000) buffered.shift();
  });
  return (pattern: RegExp, timeoutMs: number, what: string): Promise<RegExpMatchArray> => {
    for (let i = 0; i < buffered.length; i++) {
      const m = (buffered[i] as string).match(pattern);
      if (m) {
        buffered.splice(0, i + 1);
        return Promise.resolve(m);
      }
    }
    buffered.length = 0;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiter = undefined;
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      waiter = {
        pattern,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
    });
  };
}

const alive = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;

async function stopChildren(children: ChildProcess[], graceMs: number): Promise<void> {
  for (const c of children) if (alive(c)) c.kill('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && children.some(alive)) await sleep(50);
  for (const c of children) if (alive(c)) c.kill('SIGKILL');
}

export async function benchScopedFanout(opts: { clusters: number; clients: number; intervalSeconds: number; warmupSeconds: number; measureSeconds: number; phases: readonly PhaseName[]; log?: (s: string) => void }): Promise<ScopedFanoutResult> {
  const log = opts.log ?? (() => undefined);
  const setupStart = performance.now();
  const dir = tempDir('flotilla-bench-access-');
  const init = await initControlPlane({ dataDir: dir, port: 0 });
  const teams = opts.clients;
  // 500 sockets from one address: above the default api.connections caps (512 in all, 64 a source).
  const doc = parseDocument(readFileSync(init.configPath, 'utf8'));
  const cap = opts.clients + 256;
  doc.setIn(['api', 'connections'], doc.createNode({ max: cap, maxPerSource: cap }));
  writeFileSync(init.configPath, String(doc));
  const pollIntervalMs = Number(doc.getIn(['store', 'pollIntervalMs']) ?? 1000);

  // One viewer token a client and phase, made before the daemon opens the registry.
  const tokens: Record<Exclude<PhaseName, 'none'>, { token: string; allow: Allow }[]> = { unscoped: [], scoped: [], wide: [] };
  const registry = Registry.open(join(dir, 'registry.db'));
  try {
    registry.tx(() => {
      for (let i = 0; i < opts.clients; i++) {
        const t = teamName(i);
        tokens.unscoped.push({ token: registry.tokens.create({ role: 'viewer', name: `all-${i}`, expiresAt: null }).token, allow: { kind: 'all' } });
        tokens.scoped.push({ token: registry.tokens.create({ role: 'viewer', name: `team-${t}`, expiresAt: null, scope: normalizeScope(`team=${t}`) }).token, allow: { kind: 'team', team: t } });
        tokens.wide.push({ token: registry.tokens.create({ role: 'viewer', name: `not-${t}`, expiresAt: null, scope: normalizeScope(`team!=${t}`) }).token, allow: { kind: 'notTeam', team: t } });
      }
    });
  } finally {
    registry.close();
  }

  // BENCH_PROFILE=DIR writes the daemon's V8 CPU profile there when it stops (all phases of the run; BENCH_ACCESS_PHASES picks them).
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const daemon = spawn(process.execPath, [...profile, CLI, 'daemon', '--config', init.configPath], { env: { ...process.env, FLOTILLA_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'pipe'] });
  const children: ChildProcess[] = [daemon];
  daemon.on('exit', (code, signal) => log(`  daemon exited (${code ?? signal})`));
  let daemonLines = 0;
  const daemonErr = lines(daemon.stderr, (line) => {
    if (!/listening on/.test(line) && daemonLines++ < 10) log(`  daemon: ${line.slice(0, 300)}`);
  });
  try {
    const [, url] = await daemonErr(/listening on (\S+)/, 20_000, 'the daemon to listen');
    const server = url as string;
    const auth = { authorization: `Bearer ${init.token}`, 'content-type': 'application/json' };

    log(`  adding ${opts.clusters} clusters (team=t0..t${teams - 1}, env)`);
    const bundles: AgentConfig[] = [];
    const teamOf: Record<string, string> = {};
    for (let i = 0; i < opts.clusters; i += 32) {
      const batch = Array.from({ length: Math.min(32, opts.clusters - i) }, (_, j) => i + j);
      const added = await Promise.all(
        batch.map(async (k) => {
          const name = `bench-${String(k).padStart(5, '0')}`;
          const labels = clusterLabels(k, teams);
          teamOf[name] = labels.team as string;
          const res = await fetch(`${server}/api/v1/clusters`, { method: 'POST', headers: auth, body: JSON.stringify({ name, labels, intervalSeconds: opts.intervalSeconds }) });
          if (res.status !== 201) throw new Error(`cluster add ${name}: ${res.status} ${await res.text()}`);
          return ((await res.json()) as ClusterAddResponse<AgentConfig>).bundle;
        }),
      );
      bundles.push(...added);
    }
    const bundlesFile = join(dir, 'bundles.json');
    writeFileSync(bundlesFile, JSON.stringify(bundles));

    // The agents' stand-in (fleet.ts's generator): every cluster reports once an interval, spread evenly.
    const writer = spawn('nice', ['-n', '10', process.execPath, '--import', 'tsx', new URL('./status-writer.ts', import.meta.url).pathname, bundlesFile, String(opts.intervalSeconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(writer);
    const rates: { at: number; rate: number }[] = [];
    const writerOut = lines(writer.stdout, (line) => {
      const m = /^rate (\d+)/.exec(line);
      if (m) rates.push({ at: performance.now(), rate: Number(m[1]) });
    });
    await writerOut(/^registered (\d+)/, 120_000, 'the agents to register');
    log('  agents registered; waiting for every cluster to report');
    const deadline = Date.now() + 60_000;
    for (;;) {
      const res = await fetch(`${server}/api/v1/clusters`, { headers: auth });
      const items = ((await res.json()) as { items: ClusterRow[] }).items;
      const reported = items.filter((r) => r.reportedAt !== null).length;
      if (reported >= opts.clusters) break;
      if (Date.now() > deadline) throw new Error(`only ${reported} of ${opts.clusters} clusters reported within a minute`);
      await sleep(1000);
    }
    const setupSeconds = (performance.now() - setupStart) / 1000;

    const phases: FanoutPhase[] = [];
    const specFile = join(dir, 'clients.json');
    for (const name of opts.phases) {
      const clients = name === 'none' ? [] : tokens[name];
      let child: ChildProcess | undefined;
      let childOut: ReturnType<typeof lines> | undefined;
      if (clients.length > 0) {
        log(`  ${name}: connecting ${clients.length} clients (${PHASE_TEXT[name]})`);
        const spec: ClientsSpec = { url: server, clients, teamOf };
        writeFileSync(specFile, JSON.stringify(spec));
        child = spawn('nice', ['-n', '10', process.execPath, '--import', 'tsx', new URL('./access-clients.ts', import.meta.url).pathname, specFile], { stdio: ['pipe', 'pipe', 'inherit'] });
        children.push(child);
        childOut = lines(child.stdout!);
        await childOut(/^ready /, 180_000, `${clients.length} snapshots`);
      }
      log(`  ${name}: warming up ${opts.warmupSeconds} s, measuring ${opts.measureSeconds} s`);
      await sleep(opts.warmupSeconds * 1000);
      const loadStart = load();
      const daemonSampler = new ProcSampler(daemon.pid!);
      const writerSampler = new ProcSampler(writer.pid!);
      const from = performance.now();
      const monoFrom = Number(process.hrtime.bigint() / 1000n);
      child?.stdin!.write('start\n');
      daemonSampler.start();
      writerSampler.start();
      await sleep(opts.measureSeconds * 1000);
      const usage = daemonSampler.stop();
      const writerUsage = writerSampler.stop();
      const to = performance.now();
      const monoTo = Number(process.hrtime.bigint() / 1000n);
      let window: WindowStats | null = null;
      let totals: Totals | null = null;
      if (child && childOut) {
        child.stdin!.write('stop\n');
        const [, json] = await childOut(/^stats (.*)$/, 30_000, 'the clients\' figures');
        ({ window, totals } = JSON.parse(json as string) as { window: WindowStats; totals: Totals });
        child.stdin!.write('quit\n');
        const exitBy = Date.now() + 10_000;
        while (alive(child) && Date.now() < exitBy) await sleep(50);
        await stopChildren([child], 0);
      }
      const inWindow = rates.filter((r) => r.at >= from && r.at <= to + 1000);
      const teamsSeen = (allow: Allow) => Object.values(teamOf).filter((t) => (allow.kind === 'all' ? true : allow.kind === 'team' ? t === allow.team : t !== allow.team)).length;
      const baseline = phases.find((p) => p.name === 'none');
      phases.push({
        name,
        text: PHASE_TEXT[name],
        clients: clients.length,
        scopes: name === 'unscoped' ? 1 : clients.length,
        clustersEach: clients.length ? Math.round(clients.reduce((n, c) => n + teamsSeen(c.allow), 0) / clients.length) : 0,
        seconds: usage.seconds,
        reportsPerSecond: inWindow.length ? Math.round(inWindow.reduce((n, r) => n + r.rate, 0) / inWindow.length) : 0,
        daemonCores: usage.cores,
        fanoutCores: baseline ? usage.cores - baseline.daemonCores : null,
        daemonRssPeakMiB: usage.rssPeakBytes / 2 ** 20,
        writerCores: writerUsage.cores,
        load: { start: loadStart, end: load() },
        window,
        totals,
        clientCores: window ? window.cpuSeconds / window.seconds : null,
        monotonicUs: { from: monoFrom, to: monoTo },
      });
      if (totals && totals.violations > 0) log(`  ${name}: ${totals.violations} VIOLATIONS, e.g. ${totals.violationExamples.join('; ')}`);
      // The sockets' close and the GC after them, outside the next window.
      await sleep(3000);
    }
    // A no-clients phase after the others stands in for the baseline of those before it too.
    const none = phases.filter((p) => p.name === 'none');
    if (none.length > 0) {
      const base = none.reduce((n, p) => n + p.daemonCores, 0) / none.length;
      for (const p of phases) if (p.name !== 'none') p.fanoutCores = p.daemonCores - base;
    }
    return { clusters: opts.clusters, clients: opts.clients, intervalSeconds: opts.intervalSeconds, pollIntervalMs, warmupSeconds: opts.warmupSeconds, measureSeconds: opts.measureSeconds, setupSeconds, phases };
  } finally {
    await stopChildren(children, process.env.BENCH_PROFILE ? 15_000 : 2000);
    cleanupTempDirs();
  }
}
