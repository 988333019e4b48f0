// An unsigned JWT-shaped string: the session store and token source only decode ID tokens (the
// daemon verifies them), so unit tests need the claims, not a signature.
export function fakeIdToken(claims: Record<string, unknown>): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}.c2ln`;
}
