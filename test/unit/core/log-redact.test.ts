// Secrets never reach a log line: a logger writing to a file, given credentials at the top of what it
// logs and nested in headers and configs, writes the redaction marker and keeps the rest.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, REDACTED } from '../../../core/log.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';

afterAll(cleanupTempDirs);

describe('log redaction', () => {
  it('writes no credential, secret or sealed parameter, wherever in the logged object it is', () => {
    const file = join(tempDir(), 'd.log');
    const log = createLogger({ name: 'test', file });
    const secrets = ['flt_s3cr3t-bearer', 'fbt_bootstrap-s3cr3t', 'hunter2-password', 'eyJ-refresh', 'sealed-blob-s3cr3t', 'client-s3cr3t'];
    log.info({ authorization: `Bearer ${secrets[0]}`, cluster: 'pay-1' }, 'top level');
    log.warn({ req: { headers: { authorization: `Bearer ${secrets[0]}`, 'user-agent': 'curl' } } }, 'nested headers');
    log.info({ bundle: { bootstrapToken: secrets[1] }, broker: { password: secrets[2] } }, 'configs');
    log.info({ tokens: { refresh_token: secrets[3], id: 'tok_1' }, params: { sealed: secrets[4] }, oidc: { clientSecret: secrets[5] } }, 'more');
    const text = readFileSync(file, 'utf8');
    for (const s of secrets) expect(text).not.toContain(s);
    expect(text.split(REDACTED).length - 1).toBe(7);
    // What is not a secret stays.
    expect(text).toContain('"cluster":"pay-1"');
    expect(text).toContain('"user-agent":"curl"');
    expect(text).toContain('"id":"tok_1"');
  });
});
