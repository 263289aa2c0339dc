import { base64Url } from './session';

/** GET /console/config.json: how this deployment signs in. */
export interface ConsoleSettings {
  oidc: { issuer: string; clientId: string; scope: string } | null;
}

interface ProviderMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
}

/** The verifier and state of a sign-in in progress, across the round trip to the provider (this tab only). */
const PENDING = 'accord.oidc.pending';

export class SignInError extends Error {}

/** Where the provider sends the browser back: the console itself, with the code in the query. */
export function redirectUri(): string {
  return `${location.origin}/console/`;
}

async function metadataOf(issuer: string): Promise<ProviderMetadata> {
  const response = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (!response.ok) throw new SignInError('discovery');
  const metadata = (await response.json()) as ProviderMetadata;
  // OpenID Connect Discovery §4.3: the document must name the issuer it was fetched from.
  if (metadata.issuer !== issuer) throw new SignInError('issuer-mismatch');
  return metadata;
}

function randomText(bytes: number): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** Authorization code flow with PKCE (RFC 7636, S256) for a public client: off to the provider's sign-in page. */
export async function beginSignIn(settings: NonNullable<ConsoleSettings['oidc']>): Promise<void> {
  const metadata = await metadataOf(settings.issuer);
  const verifier = randomText(32);
  const state = randomText(16);
  const challenge = base64Url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state }));
  const url = new URL(metadata.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: settings.clientId,
    redirect_uri: redirectUri(),
    scope: settings.scope,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url);
}

/**
 * Back from the provider: the code exchanged for an access token, the query removed from the address bar. Null
 * when this page load is no return from the provider.
 */
export async function completeSignIn(settings: ConsoleSettings['oidc']): Promise<string | null> {
  const query = new URLSearchParams(location.search);
  if (!query.has('code') && !query.has('error')) return null;
  history.replaceState(null, '', `${location.pathname}${location.hash}`);
  const pending = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  if (query.has('error')) throw new SignInError(query.get('error') ?? 'error');
  if (!settings || !pending) throw new SignInError('unexpected');
  const { verifier, state } = JSON.parse(pending) as { verifier: string; state: string };
  if (query.get('state') !== state) throw new SignInError('state-mismatch');
  // RFC 9207: a provider that names itself in the answer must be the one the console asked.
  if (query.has('iss') && query.get('iss') !== settings.issuer) throw new SignInError('issuer-mismatch');
  const metadata = await metadataOf(settings.issuer);
  const response = await fetch(metadata.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: query.get('code') ?? '',
      redirect_uri: redirectUri(),
      client_id: settings.clientId,
      code_verifier: verifier,
    }),
  });
  if (!response.ok) throw new SignInError('token');
  const { access_token: accessToken } = (await response.json()) as { access_token?: string };
  if (typeof accessToken !== 'string') throw new SignInError('token');
  return accessToken;
}
