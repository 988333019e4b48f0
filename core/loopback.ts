// Where plain http is acceptable for an identity provider: on this host only (RFC 8252 §8.3), so
// keys and tokens never cross a network in the clear. Pure; the daemon's config and the CLI's sign-in
// both ask here.

export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** An https URL, or an http one on a loopback host. */
export function httpsOrLoopback(text: string): boolean {
  const url = URL.parse(text);
  if (!url) return false;
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
}
