// The child side of test/harness/oidc-provider.ts: a real oidc-provider 8 on a free loopback port.
// The parent drives it over the IPC channel (start, rotate keys, set an account) and the child exits
// when its stdin closes, so a crashed test run leaves no server behind.
//
// Key rotation builds a new Provider with the new key first, over the same adapter storage, and the
// HTTP server switches to it: grants, device codes and refresh tokens issued before live in that
// storage, not in the Provider, so they survive.
//
// The sign-in pages a user sees after entering the user code (login, consent) are this file's, at
// /interaction/:uid: posting `account` there signs in as that account and grants what was asked.
// The user-code pages and everything else are oidc-provider's own.
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const storage = new Map(); // key -> { value, expiresAt }
const accounts = new Map(); // id -> claims
let provider;
let handle;
let issuer;
let settings;

const live = (key) => {
  const entry = storage.get(key);
  if (!entry) return undefined;
  if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
    storage.delete(key);
    return undefined;
  }
  return entry.value;
};
const put = (key, value, expiresIn) => storage.set(key, { value, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined });
const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);

// The library's memory adapter, but over a Map this file owns, so every Provider instance shares it.
class MapAdapter {
  constructor(model) {
    this.model = model;
  }
  key(id) {
    return `${this.model}:${id}`;
  }
  async upsert(id, payload, expiresIn) {
    const key = this.key(id);
    if (this.model === 'Session') put(`sessionUid:${payload.uid}`, id, expiresIn);
    if (GRANTABLE.has(this.model) && payload.grantId) {
      const grantKey = `grant:${payload.grantId}`;
      put(grantKey, [...(live(grantKey) ?? []), key]);
    }
    if (payload.userCode) put(`userCode:${payload.userCode}`, id, expiresIn);
    put(key, structuredClone(payload), expiresIn);
  }
  async find(id) {
    const value = live(this.key(id));
    return value === undefined ? undefined : structuredClone(value);
  }
  async findByUid(uid) {
    const id = live(`sessionUid:${uid}`);
    return id === undefined ? undefined : this.find(id);
  }
  async findByUserCode(userCode) {
    const id = live(`userCode:${userCode}`);
    return id === undefined ? undefined : this.find(id);
  }
  async consume(id) {
    const value = live(this.key(id));
    if (value) value.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id) {
    storage.delete(this.key(id));
  }
  async revokeByGrantId(grantId) {
    const grantKey = `grant:${grantId}`;
    for (const key of live(grantKey) ?? []) storage.delete(key);
    storage.delete(grantKey);
  }
}

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const client = (id) => ({
  client_id: id,
  token_endpoint_auth_method: 'none',
  grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
  response_types: [],
  redirect_uris: [],
});

// The pages carry data-* markers so the parent can tell which page it got without parsing prose.
function configuration(keys) {
  return {
    adapter: MapAdapter,
    jwks: { keys },
    clients: settings.clientIds.map(client),
    cookies: { keys: ['flotilla-test-cookie-key'] },
    scopes: ['openid', 'offline_access', 'profile', 'email', 'groups'],
    claims: { openid: ['sub'], profile: ['preferred_username'], email: ['email'], groups: ['groups'] },
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      deviceFlow: {
        enabled: true,
        userCodeInputSource: async (ctx, form, _out, err) => {
          ctx.body = `<!DOCTYPE html><html><body data-page="input" data-error="${escape(err?.name ?? '')}">${form}</body></html>`;
        },
        userCodeConfirmSource: async (ctx, form) => {
          ctx.body = `<!DOCTYPE html><html><body data-page="confirm">${form}</body></html>`;
        },
        successSource: async (ctx) => {
          ctx.body = '<!DOCTYPE html><html><body data-page="success"></body></html>';
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    issueRefreshToken: async (_ctx, c, code) => c.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    findAccount: async (_ctx, id) => {
      if (!accounts.has(id)) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...accounts.get(id) }) };
    },
    renderError: async (ctx, out) => {
      ctx.type = 'json';
      ctx.body = out;
    },
    ttl: {
      AccessToken: 600,
      IdToken: settings.idTokenTtlSeconds,
      RefreshToken: settings.refreshTokenTtlSeconds,
      DeviceCode: 600,
      Grant: 86_400,
      Interaction: 600,
      Session: 86_400,
    },
  };
}

function useKeys(keys) {
  provider = new Provider(issuer, configuration(keys));
  handle = provider.callback();
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

function json(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

// One POST finishes whichever prompt is pending: login as the posted account (granting the asked-for
// scopes at the same time), or consent for the account already signed in.
async function interaction(req, res) {
  const current = provider;
  const details = await current.interactionDetails(req, res);
  const form = await readForm(req);
  const accountId = details.prompt.name === 'login' ? form.get('account') : details.session?.accountId;
  if (!accountId || !accounts.has(accountId)) return json(res, 400, { error: 'unknown_account', account: accountId });
  const grant = details.grantId ? await current.Grant.find(details.grantId) : new current.Grant({ accountId, clientId: details.params.client_id });
  grant.addOIDCScope(String(details.params.scope ?? 'openid'));
  const missingClaims = details.prompt.details.missingOIDCClaims;
  if (Array.isArray(missingClaims)) grant.addOIDCClaims(missingClaims);
  const grantId = await grant.save();
  const result = { consent: { grantId } };
  if (details.prompt.name === 'login') result.login = { accountId };
  await current.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

const server = createServer((req, res) => {
  if (req.url?.startsWith('/interaction/')) {
    interaction(req, res).catch((e) => json(res, 500, { error: 'interaction_failed', message: String(e?.message ?? e) }));
    return;
  }
  handle(req, res);
});

const ops = {
  async start(args) {
    settings = args;
    for (const [id, claims] of Object.entries(args.accounts)) accounts.set(id, claims);
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${server.address().port}`;
    useKeys(args.keys);
    return { issuer };
  },
  async rotate(args) {
    useKeys(args.keys);
  },
  async setAccount(args) {
    accounts.set(args.id, args.claims);
  },
};

process.on('message', (msg) => {
  Promise.resolve()
    .then(() => ops[msg.op](msg.args))
    .then(
      (result) => process.send({ id: msg.id, result }),
      (e) => process.send({ id: msg.id, error: String(e?.stack ?? e) }),
    );
});
process.stdin.on('end', () => {
  server.closeAllConnections?.();
  server.close(() => process.exit(0));
});
process.stdin.resume();
