// How kubelet lays out container logs on a node, and the CRI line format the container runtime writes:
// `<RFC3339Nano> <stdout|stderr> <P|F> <text>`, a long line split into `P` partials closed by an `F`.
// Pure: names and strings only; log-files.ts does the writing.
import { posix } from 'node:path';

export type LogStream = 'stdout' | 'stderr';

/** containerd's default max_container_log_line_size: longer lines are split into partials. */
export const CRI_MAX_LINE_BYTES = 16 * 1024;

/** The sim's log root inside the agent data dir; it plays the node's /var/log. */
export const SIM_LOG_SUBDIR = 'sim-logs';

/** The glob the agent's CRI input follows on the sim backend, relative to the agent data dir. */
export const SIM_CRI_GLOB = `${SIM_LOG_SUBDIR}/pods/*/*/*.log`;

/** An instant with nanosecond precision: whole milliseconds since the epoch plus the nanoseconds within. */
export interface NanoTime {
  ms: number;
  /** 0..999_999 */
  nanos: number;
}

export function compareNano(a: NanoTime, b: NanoTime): number {
  return a.ms - b.ms || a.nanos - b.nanos;
}

/** Go's time.RFC3339Nano in UTC, as containerd writes it: trailing zeros of the fraction trimmed. */
export function rfc3339Nano(t: NanoTime): string {
  const iso = new Date(t.ms).toISOString();
  const fraction = `${iso.slice(20, 23)}${String(t.nanos).padStart(6, '0')}`.replace(/0+$/, '');
  return `${iso.slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`;
}

/** Kubelet's pod log directory name: `<namespace>_<pod>_<uid>`. */
export function podLogDirName(namespace: string, pod: string, uid: string): string {
  return `${namespace}_${pod}_${uid}`;
}

/** `pods/<ns>_<pod>_<uid>/<container>/<restartCount>.log`, relative to the log root. */
export function containerLogPath(namespace: string, pod: string, uid: string, container: string, restartCount: number): string {
  return posix.join('pods', podLogDirName(namespace, pod, uid), container, `${restartCount}.log`);
}

/** Kubelet's rotated name `<n>.log.<YYYYMMDD-HHMMSS>` (Go layout 20060102-150405), here in UTC. */
export function rotatedSuffix(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
}

const LOG_FILE = /^(\d+)\.log$/;
const ROTATED_FILE = /^(\d+)\.log\.(\d{8}-\d{6})$/;

/** What a file in a container's log directory is: the live log of a restart, or one rotated away from it. */
export function classifyLogFile(name: string): { restart: number; rotated: string | null } | null {
  const live = LOG_FILE.exec(name);
  if (live) return { restart: Number(live[1]), rotated: null };
  const rotated = ROTATED_FILE.exec(name);
  if (rotated) return { restart: Number(rotated[1]), rotated: rotated[2] as string };
  return null;
}

const encoder = new TextEncoder();

/** Splits text into pieces of at most `maxBytes` UTF-8 bytes without cutting a character in two. */
export function splitUtf8(text: string, maxBytes: number): string[] {
  if (encoder.encode(text).length <= maxBytes) return [text];
  const pieces: string[] = [];
  let current = '';
  let bytes = 0;
  for (const ch of text) {
    const size = encoder.encode(ch).length;
    if (bytes + size > maxBytes && current !== '') {
      pieces.push(current);
      current = '';
      bytes = 0;
    }
    current += ch;
    bytes += size;
  }
  pieces.push(current);
  return pieces;
}

/**
 * The CRI lines for one logical line: `P` for every piece but the last, `F` for the last. The text must
 * not hold a newline: the runtime ends an entry at each one, so multi-line output is several entries.
 */
export function criLines(t: NanoTime, stream: LogStream, text: string, maxBytes = CRI_MAX_LINE_BYTES): string[] {
  if (text.includes('\n')) throw new RangeError('a CRI entry holds no newline; split multi-line output into entries');
  const ts = rfc3339Nano(t);
  const pieces = splitUtf8(text, maxBytes);
  return pieces.map((piece, i) => `${ts} ${stream} ${i === pieces.length - 1 ? 'F' : 'P'} ${piece}`);
}
