import { describe, expect, it } from 'vitest';
import { managementError, redactUris } from '../../../../core/brokers/management-errors.js';

const base = { url: 'http://127.0.0.1:15672', op: 'declare queue flotilla.logs.outbox in vhost /' };

describe('management API failures', () => {
  it('maps each answer to the taxonomy with its exit code and a next step', () => {
    const cases: [number | undefined, string, string, number][] = [
      [undefined, 'ECONNREFUSED', 'unavailable', 69],
      [401, 'Login failed', 'unauthenticated', 77],
      [403, 'Access refused', 'forbidden', 77],
      [404, 'Object Not Found', 'not_found', 64],
      [400, "inequivalent arg 'x-max-length-bytes' for queue 'flotilla.logs.outbox' in vhost '/'", 'conflict', 64],
      [400, 'Validation failed: src-queue not present', 'usage', 64],
      [405, 'Method Not Allowed', 'usage', 64],
      [503, 'Service Unavailable', 'retry', 75],
      [500, 'Internal Server Error', 'unavailable', 69],
    ];
    for (const [status, reason, kind, exit] of cases) {
      const e = managementError({ ...base, status, reason });
      expect(e.kind, `${status} ${reason}`).toBe(kind);
      expect(e.exitCode).toBe(exit);
      expect(e.message).toContain(base.url);
      expect(e.message).toContain(reason);
      expect(e.next.length).toBeGreaterThan(10);
      expect(e.details).toMatchObject({ url: base.url, op: base.op, reason });
    }
  });

  it('says what was asked and that nothing answered when the broker is unreachable', () => {
    const e = managementError({ ...base, reason: 'timed out' });
    expect(e.message).toBe(`RabbitMQ management API at ${base.url} did not answer (${base.op}): timed out`);
    expect(e.next).toContain('rabbitmq_management');
  });

  it('never repeats a password from an AMQP URI the broker quotes back', () => {
    const reason = 'Validation failed: dest-uri "amqps://flotilla-cluster-c1:s3cr3t%2F@central:5671/x" is unreachable; also amqp://u:p@h';
    const e = managementError({ ...base, status: 400, reason });
    expect(e.message).not.toContain('s3cr3t');
    expect(JSON.stringify(e.details)).not.toContain('s3cr3t');
    expect(e.message).toContain('amqps://flotilla-cluster-c1:***@central:5671/x');
    expect(redactUris('amqp://u:p@h and amqp://host:5672/no-creds')).toBe('amqp://u:***@h and amqp://host:5672/no-creds');
  });
});
