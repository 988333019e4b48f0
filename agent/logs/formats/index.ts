// The parser of each configured format. Pure.
import type { LineParser } from './parser.js';
import { criParser } from './cri.js';
import { dockerParser } from './docker.js';
import type { LineBase, PartialState } from './partial.js';
import type { LogFormat } from './path-meta.js';
import { plainParser } from './plain.js';

export function lineParser(format: LogFormat, base: LineBase, restored: PartialState[] = []): LineParser {
  if (format === 'cri') return criParser(base, restored);
  if (format === 'docker') return dockerParser(base, restored);
  return plainParser(base);
}
