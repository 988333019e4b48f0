// A self-signed certificate for the Kubernetes API test server, made once per process with the
// openssl CLI (Node's crypto cannot create X.509 certificates). It names 127.0.0.1 and localhost, so
// any client that is given it as its CA verifies the server as it would a real one.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TlsMaterial {
  key: string;
  cert: string;
}

let made: TlsMaterial | undefined;

export function testCertificate(): TlsMaterial {
  if (made) return made;
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-kube-tls-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=flotilla-test-kube-apiserver', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,digitalSignature,keyCertSign'], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      throw new Error(`the Kubernetes API test server needs the openssl CLI to make its TLS certificate (apt-get install openssl): ${(e as Error).message}`, { cause: e });
    }
    made = { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
    return made;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
