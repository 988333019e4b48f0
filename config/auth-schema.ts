// The daemon's `auth` block (docs/ACCESS.md): the OpenID provider whose ID tokens it accepts, and
// bindings that give OIDC subjects and groups a role over a cluster scope from the config file (for
// bootstrapping: the first admin binding cannot be made through an API nobody may call yet).
import { z } from 'zod';
import { normalizeScope } from '../core/access.js';
import { httpsOrLoopback } from '../core/loopback.js';
import { ROLES } from '../core/roles.js';

/** Asymmetric signatures only: never `none`, never an HMAC whose key could be made from a published public key. */
export const OIDC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

export const OIDC_DEFAULTS = {
  groupsClaim: 'groups',
  usernameClaim: 'preferred_username',
  clockSkewSeconds: 30,
  maxTokenBytes: 8192,
  jwksCacheSeconds: 600,
  jwksRefetchSeconds: 30,
  scopes: ['openid', 'profile', 'email', 'groups', 'offline_access'],
};


export const OidcConfigSchema = z
  .object({
    issuer: z
      .string()
      .refine(httpsOrLoopback, { message: 'expected an https URL (http only on a loopback host: 127.x.x.x, [::1] or localhost)' })
      .describe("the provider's issuer URL, exactly as its tokens' `iss` and its discovery document say (Keycloak: https://HOST/realms/REALM)"),
    clientId: z.string().min(1).describe('the OAuth client `flotilla login` signs in with (a public client with the device authorization grant); tokens issued to another client are refused'),
    audience: z.string().min(1).optional().describe("the `aud` an ID token must hold; default clientId"),
    groupsClaim: z.string().min(1).default(OIDC_DEFAULTS.groupsClaim).describe('claim holding the list of group names bindings match (Keycloak: the group membership mapper\'s claim name)'),
    usernameClaim: z.string().min(1).default(OIDC_DEFAULTS.usernameClaim).describe('claim shown as the user\'s name in the console and the audit (`sub` if absent from a token)'),
    algorithms: z.array(z.enum(OIDC_ALGORITHMS)).min(1).default([...OIDC_ALGORITHMS]).describe('signature algorithms accepted; asymmetric only'),
    clockSkewSeconds: z.number().int().min(0).max(300).default(OIDC_DEFAULTS.clockSkewSeconds).describe('leeway for exp and nbf against the daemon\'s clock, in seconds (0-300)'),
    maxTokenBytes: z.number().int().min(1024).max(65_536).default(OIDC_DEFAULTS.maxTokenBytes).describe('longest token accepted, in bytes; longer ones are refused before any parsing'),
    jwksCacheSeconds: z.number().int().min(10).max(86_400).default(OIDC_DEFAULTS.jwksCacheSeconds).describe("how long the provider's keys (JWKS) are used before they are fetched again"),
    jwksRefetchSeconds: z.number().int().min(1).max(3600).default(OIDC_DEFAULTS.jwksRefetchSeconds).describe('a token with an unknown key id fetches the keys again at most this often (a rotated key is found; a flood of forged key ids costs one fetch per interval)'),
    scopes: z.array(z.string().min(1)).min(1).default(OIDC_DEFAULTS.scopes).describe('scopes `flotilla login` asks for; offline_access gives the refresh token that keeps a session going'),
  })
  .strict();
export type OidcConfig = z.infer<typeof OidcConfigSchema>;

const scopeText = z
  .string()
  .optional()
  .superRefine((s, ctx) => {
    try {
      normalizeScope(s);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
    }
  });

export const ConfigBindingSchema = z
  .object({
    subject: z.string().min(1).optional().describe("an OIDC subject (the token's `sub`)"),
    group: z.string().min(1).optional().describe('an OIDC group (a name in the groups claim)'),
    role: z.enum(ROLES).describe('viewer, operator or admin'),
    scope: scopeText.describe('cluster label selector the role holds over, e.g. team=payments,env!=prod; omit for the whole fleet'),
  })
  .strict()
  .refine((b) => (b.subject === undefined) !== (b.group === undefined), { message: 'give exactly one of subject and group' });
export type ConfigBinding = z.infer<typeof ConfigBindingSchema>;

export const AuthConfigSchema = z
  .object({
    oidc: OidcConfigSchema.optional().describe('accept ID tokens of this OpenID provider (docs/ACCESS.md, "Signing in with OIDC"); omit for API tokens only'),
    bindings: z.array(ConfigBindingSchema).default([]).describe('bindings read from this file at every start, in addition to those made with `flotilla binding add`; they cannot be removed through the API'),
  })
  .strict()
  .default({ bindings: [] });
export type AuthConfig = z.infer<typeof AuthConfigSchema>;
