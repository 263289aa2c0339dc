import { generateKeyPairSync } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { Provider } from 'oidc-provider';

/** Who may sign in at the test provider, and the Accord claims their access tokens carry. */
export type Accounts = Record<string, { role: string; country?: string }>;

export interface OpenIdProvider {
  issuer: string;
  jwksUrl: string;
  /**
   * Starts answering, with the console registered as a public client (PKCE, no secret) at its redirect URI: known
   * only once the API listens, while the API needs the issuer first.
   */
  serve(client: { clientId: string; redirectUri: string; scope: string }): void;
  close(): Promise<void>;
}

/**
 * A real OpenID Provider (oidc-provider, certified by the OpenID Foundation) on the loopback interface: its own
 * login page (any password), its JWKS, and access tokens as JWTs (RFC 9068) for the resource `urn:accord:api`,
 * signed ES256, with Accord's audience and the account's role and country as claims.
 */
export async function startOpenIdProvider(accounts: Accounts, audience: string): Promise<OpenIdProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    serve: ({ clientId, redirectUri, scope }) => {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const key = {
        ...privateKey.export({ format: 'jwk' }),
        kid: 'provider-es256',
        use: 'sig',
        alg: 'ES256',
      };
      const resourceScopes = scope.split(' ').filter((name) => name !== 'openid');
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: clientId,
            token_endpoint_auth_method: 'none',
            redirect_uris: [redirectUri],
            grant_types: ['authorization_code'],
            response_types: ['code'],
            id_token_signed_response_alg: 'ES256',
          },
        ],
        jwks: { keys: [key] },
        cookies: { keys: ['a test provider signs its cookies with this'] },
        pkce: { required: () => true },
        scopes: ['openid', ...resourceScopes],
        findAccount: (_context, sub) =>
          accounts[sub] ? { accountId: sub, claims: () => ({ sub }) } : undefined,
        extraTokenClaims: (_context, token) => {
          const account = 'accountId' in token ? accounts[token.accountId as string] : undefined;
          return token.kind === 'AccessToken' && account ? { ...account } : undefined;
        },
        clientBasedCORS: (_context, origin, client) =>
          client.redirectUris?.some((uri) => new URL(uri).origin === origin) ?? false,
        features: {
          devInteractions: { enabled: true },
          resourceIndicators: {
            enabled: true,
            defaultResource: () => 'urn:accord:api',
            useGrantedResource: () => true,
            getResourceServerInfo: () => ({
              scope: resourceScopes.join(' '),
              audience,
              accessTokenFormat: 'jwt',
              jwt: { sign: { alg: 'ES256' } },
            }),
          },
        },
      });
      server.on('request', provider.callback());
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
