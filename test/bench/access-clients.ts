// Load for the access benchmark (access.ts), run as its own process (at nice 10) so parsing what the
// daemon sends does not count against the daemon or compete with it for a core. Opens one WebSocket
// per token of the spec file, subscribes each to `fleet`, and checks every frame against what that
// token may see: a snapshot row, an upsert or a remove of a cluster outside it is a violation, and a
// patch whose fromRev is not the rev the client holds breaks the chain.
// Protocol: "ready {...}" on stdout once every snapshot arrived; then stdin "start" resets the window
// counters, "stop" prints "stats {...}" (the window), "quit" closes every socket and exits.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import type { FleetPatchFrame, FleetSnapshotFrame, ServerFrame } from '../../core/protocol.js';

/** Which clusters a client may see, by the `team` label (cluster names map to teams in `teamOf`). */
export type Allow = { kind: 'all' } | { kind: 'team'; team: string } | { kind: 'notTeam'; team: string };

export interface ClientsSpec {
  url: string;
  clients: { token: string; allow: Allow }[];
  teamOf: Record<string, string>;
}

export interface WindowStats {
  frames: number;
  bytes: number;
  patches: number;
  /** Patches from the rev before their own (sent as the event happened) vs from an older rev (a catch-up: events of other clusters skipped, or coalesced for a slow client). */
  inStep: number;
  catchUps: number;
  changes: number;
  /** Highest rev any client held at start and at stop: the fleet events of the window. */
  revStart: number;
  revEnd: number;
  /** This process' CPU (user + system) over the window, in seconds. */
  cpuSeconds: number;
  seconds: number;
}

export interface Totals {
  /** Over the client's whole life, snapshots included. */
  violations: number;
  violationExamples: string[];
  chainBreaks: number;
  /** Snapshots that lacked a cluster the client may see. */
  snapshotMissing: number;
  errors: number;
  closed: number;
}

interface Client {
  allow: Allow;
  rev: number;
  snapshot: boolean;
}

const [specFile] = process.argv.slice(2);
if (!specFile) throw new Error('usage: access-clients.ts SPEC.json');
const spec = JSON.parse(readFileSync(specFile, 'utf8')) as ClientsSpec;
const teamOf = new Map(Object.entries(spec.teamOf));
const allowed = (allow: Allow, name: string): boolean => {
  const team = teamOf.get(name);
  if (allow.kind === 'all') return true;
  if (allow.kind === 'team') return team === allow.team;
  return team !== allow.team;
};
const expectedCount = (allow: Allow): number => [...teamOf.keys()].filter((n) => allowed(allow, n)).length;

const totals: Totals = { violations: 0, violationExamples: [], chainBreaks: 0, snapshotMissing: 0, errors: 0, closed: 0 };
let win: WindowStats = { frames: 0, bytes: 0, patches: 0, inStep: 0, catchUps: 0, changes: 0, revStart: 0, revEnd: 0, cpuSeconds: 0, seconds: 0 };
let winCpu = process.cpuUsage();
let winAt = performance.now();
const clients: Client[] = [];
const sockets: WebSocket[] = [];
let snapshots = 0;
let quitting = false;

const violation = (c: Client, what: string) => {
  totals.violations += 1;
  if (totals.violationExamples.length < 5) totals.violationExamples.push(`${JSON.stringify(c.allow)}: ${what}`);
};

function onFrame(c: Client, raw: Buffer): void {
  win.frames += 1;
  win.bytes += raw.length;
  const frame = JSON.parse(raw.toString('utf8')) as ServerFrame | { id: number; error?: { message: string } };
  if ('id' in frame) {
    if (frame.error) {
      totals.errors += 1;
      process.stderr.write(`subscribe refused: ${frame.error.message}\n`);
    }
    return;
  }
  if (!('topic' in frame) || frame.topic !== 'fleet') return;
  const fleet = frame as FleetSnapshotFrame | FleetPatchFrame;
  handleFleet(c, fleet);
}

function handleFleet(c: Client, frame: FleetSnapshotFrame | FleetPatchFrame): void {
  if (frame.kind === 'snapshot') {
    for (const row of frame.data) if (!allowed(c.allow, row.name)) violation(c, `snapshot row ${row.name}`);
    const want = expectedCount(c.allow);
    if (frame.data.length < want) totals.snapshotMissing += 1;
    c.rev = frame.rev;
    if (!c.snapshot) {
      c.snapshot = true;
      snapshots += 1;
      if (snapshots === spec.clients.length) process.stdout.write(`ready ${JSON.stringify({ clients: snapshots, rev: maxRev() })}\n`);
    }
    return;
  }
  if (frame.fromRev !== c.rev) totals.chainBreaks += 1;
  if (frame.fromRev === frame.rev - 1) win.inStep += 1;
  else win.catchUps += 1;
  c.rev = frame.rev;
  win.patches += 1;
  win.changes += frame.changes.length;
  for (const ch of frame.changes) {
    const name = ch.op === 'upsert' ? ch.row.name : ch.name;
    if (!allowed(c.allow, name)) violation(c, `${ch.op} ${name}`);
  }
}

const maxRev = () => clients.reduce((m, c) => Math.max(m, c.rev), 0);

function connect(token: string, allow: Allow): Promise<void> {
  const c: Client = { allow, rev: 0, snapshot: false };
  clients.push(c);
  const ws = new WebSocket(`${spec.url.replace(/^http/, 'ws')}/ws`, { headers: { authorization: `Bearer ${token}` } });
  sockets.push(ws);
  ws.on('message', (raw: Buffer) => onFrame(c, raw));
  ws.on('close', () => {
    if (!quitting) totals.closed += 1;
  });
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.on('error', (e) => {
      totals.errors += 1;
      reject(e);
    });
    ws.once('open', () => {
      ws.send(JSON.stringify({ id: 1, op: 'subscribe', topic: 'fleet' }));
      resolve();
    });
  });
}

// In batches, so 500 snapshots of 1,000 rows are not all built in one turn of the daemon.
for (let i = 0; i < spec.clients.length; i += 25) {
  await Promise.all(spec.clients.slice(i, i + 25).map((c) => connect(c.token, c.allow)));
  await new Promise((r) => setTimeout(r, 20));
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const cmd = line.trim();
  if (cmd === 'start') {
    win = { frames: 0, bytes: 0, patches: 0, inStep: 0, catchUps: 0, changes: 0, revStart: maxRev(), revEnd: 0, cpuSeconds: 0, seconds: 0 };
    winCpu = process.cpuUsage();
    winAt = performance.now();
  } else if (cmd === 'stop') {
    const cpu = process.cpuUsage(winCpu);
    const stats: WindowStats = { ...win, revEnd: maxRev(), cpuSeconds: (cpu.user + cpu.system) / 1e6, seconds: (performance.now() - winAt) / 1000 };
    process.stdout.write(`stats ${JSON.stringify({ window: stats, totals })}\n`);
  } else if (cmd === 'quit') {
    quitting = true;
    for (const ws of sockets) ws.close();
    setTimeout(() => process.exit(0), 200);
  }
});
