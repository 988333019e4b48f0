// The user's side of the device flow, for test/harness/oidc-provider.ts: a minimal browser (fetch with
// a cookie jar, redirects followed by hand) that works the provider's real verification pages, so the
// device code changes state exactly as it would for a person at /device. The pages mark themselves
// with data-page (and data-error on a rejected code) so nothing here depends on their wording.

interface Page {
  status: number;
  location: string | undefined;
  body: string;
}

class Browser {
  private readonly cookies = new Map<string, { name: string; value: string; path: string }>();

  constructor(private readonly origin: string) {}

  async get(path: string): Promise<Page> {
    return this.send(path, { method: 'GET' });
  }

  async post(path: string, form: Record<string, string>): Promise<Page> {
    return this.send(path, { method: 'POST', body: new URLSearchParams(form), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }

  private async send(path: string, init: { method: string; body?: URLSearchParams; headers?: Record<string, string> }): Promise<Page> {
    const url = new URL(path, this.origin);
    const cookie = [...this.cookies.values()]
      .filter((c) => url.pathname.startsWith(c.path))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...init.headers, ...(cookie ? { cookie } : {}) } });
    for (const header of res.headers.getSetCookie()) this.remember(header);
    return { status: res.status, location: res.headers.get('location') ?? undefined, body: await res.text() };
  }

  private remember(header: string): void {
    const [pair = '', ...attributes] = header.split(';').map((s) => s.trim());
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    const attr = (key: string) => attributes.find((a) => a.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
    const path = attr('path') ?? '/';
    const expires = attr('expires');
    const key = `${name};${path}`;
    if (!value || (expires && Date.parse(expires) <= Date.now())) this.cookies.delete(key);
    else this.cookies.set(key, { name, value, path });
  }
}

const pageOf = (body: string) => /data-page="([^"]*)"/.exec(body)?.[1];
const errorOf = (body: string) => /data-error="([^"]*)"/.exec(body)?.[1];

function xsrfOf(page: Page): string {
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.body)?.[1];
  if (!xsrf) throw new Error(`no xsrf field on the device page (HTTP ${page.status}): ${page.body.slice(0, 500)}`);
  return xsrf;
}

/** Opens /device and submits the user code, as a person does before confirming or aborting. */
async function enterCode(browser: Browser, userCode: string, extra: Record<string, string>): Promise<Page> {
  const input = await browser.get('/device');
  return browser.post('/device', { xsrf: xsrfOf(input), user_code: userCode, ...extra });
}

export async function approveDevice(issuer: string, userCode: string, account: string): Promise<void> {
  const browser = new Browser(issuer);
  const confirm = await enterCode(browser, userCode, {});
  if (pageOf(confirm.body) !== 'confirm') throw new Error(`user code ${userCode} was not accepted (${errorOf(confirm.body) || `HTTP ${confirm.status}`}): ${confirm.body.slice(0, 500)}`);
  let page = await browser.post('/device', { xsrf: xsrfOf(confirm), user_code: userCode, confirm: 'yes' });
  // Login, then any further prompt, each a redirect to the interaction page and back to the provider.
  for (let hops = 0; hops < 10 && page.location; hops++) {
    const next = new URL(page.location, issuer).pathname;
    page = next.startsWith('/interaction/') ? await browser.post(next, { account }) : await browser.get(next);
  }
  if (pageOf(page.body) !== 'success') throw new Error(`approving ${userCode} as ${account} ended on HTTP ${page.status}: ${page.body.slice(0, 500)}`);
}

export async function denyDevice(issuer: string, userCode: string): Promise<void> {
  const page = await enterCode(new Browser(issuer), userCode, { abort: 'yes' });
  if (errorOf(page.body) !== 'AbortedError') throw new Error(`denying ${userCode} ended on HTTP ${page.status}: ${page.body.slice(0, 500)}`);
}
