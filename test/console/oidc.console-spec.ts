import type { Browser } from 'playwright-core';
import { ConsoleServer, launchChromium, newPerson, proposed, startConsoleServer } from './support';
import { OpenIdProvider, startOpenIdProvider } from './openid-provider';

jest.setTimeout(120_000);

const CLIENT_ID = 'accord-console';
const SCOPE = 'openid accord';
const AUDIENCE = 'accord-api';

/**
 * Production sign-in: the console signs in at a real OpenID Provider (authorization code with PKCE, a public
 * client), and the API verifies the provider's access tokens against its JWKS.
 */
describe('Console sign-in through OpenID Connect', () => {
  let provider: OpenIdProvider;
  let server: ConsoleServer;
  let browser: Browser;

  beforeAll(async () => {
    provider = await startOpenIdProvider(
      { 'aliya.kaz': { role: 'focal-point', country: 'KAZ' }, 'sg.office': { role: 'secretariat' } },
      AUDIENCE,
    );
    server = await startConsoleServer({
      ACCORD_JWT_JWKS_URL: provider.jwksUrl,
      ACCORD_JWT_ISSUER: provider.issuer,
      ACCORD_JWT_AUDIENCE: AUDIENCE,
      ACCORD_OIDC_ISSUER: provider.issuer,
      ACCORD_OIDC_CLIENT_ID: CLIENT_ID,
      ACCORD_OIDC_SCOPE: SCOPE,
    });
    provider.serve({ clientId: CLIENT_ID, redirectUri: `${server.url}/console/`, scope: SCOPE });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await provider?.close();
  });

  it("serves the provider's settings, and lets the console call it under its Content-Security-Policy", async () => {
    const answer = await fetch(`${server.url}/console/config.json`);
    expect(await answer.json()).toEqual({
      oidc: { issuer: provider.issuer, clientId: CLIENT_ID, scope: SCOPE },
    });
    expect(answer.headers.get('content-security-policy')).toContain(`connect-src 'self' ${provider.issuer};`);
  });

  it('signs a focal point in at the provider with PKCE, and the API accepts the access token it issued', async () => {
    const id = await proposedAsSecretariat();
    const { context, page } = await newPerson(browser);
    const authorizations: URL[] = [];
    const tokenRequests: string[] = [];
    page.on('request', (request) => {
      if (request.url().startsWith(`${provider.issuer}/auth?`)) authorizations.push(new URL(request.url()));
      if (request.url().startsWith(`${provider.issuer}/token`)) tokenRequests.push(request.postData() ?? '');
    });
    await page.goto(`${server.url}/console/`);
    await page.getByRole('button', { name: 'Sign in with your organisation' }).click();

    // The provider's own pages: its login form, then its consent.
    await page.waitForURL(`${provider.issuer}/**`);
    await page.locator('input[name="login"]').fill('aliya.kaz');
    await page.locator('input[name="password"]').fill('any password');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();
    expect(page.url()).toBe(`${server.url}/console/`);
    expect(await page.getByText('aliya.kaz, focal point').textContent()).toBeTruthy();
    await page.getByRole('link', { name: 'Pan-Turkic Patent Organization' }).click();
    await page.getByRole('radio', { name: 'Approve' }).check();
    await page.getByRole('button', { name: 'Sign off' }).click();
    await page.getByText('Your sign-off (Approved) was recorded.').waitFor();

    // The flow was the authorization code with PKCE (S256), and the code was exchanged with its verifier.
    expect(tokenRequests).toHaveLength(1);
    const exchange = new URLSearchParams(tokenRequests[0]);
    expect(exchange.get('grant_type')).toBe('authorization_code');
    expect(exchange.get('code_verifier')).toMatch(/^[\w-]{43}$/);
    expect(authorizations).toHaveLength(1);
    const authorization = authorizations[0].searchParams;
    expect(Object.fromEntries(authorization)).toMatchObject({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: `${server.url}/console/`,
      scope: SCOPE,
      code_challenge_method: 'S256',
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
      state: expect.stringMatching(/^[\w-]{22}$/),
    });
    // The decision was recorded as the provider's account, with the country its token carries; a token of the
    // development secret is refused now that the API verifies the provider's keys.
    await server
      .http()
      .get(`/v1/initiatives/${id}/history`)
      .set('authorization', server.auth('auditor'))
      .expect(401);
    const token = await page.evaluate(() => sessionStorage.getItem('accord.session') as string);
    const recorded = await server
      .http()
      .get(`/v1/initiatives/${id}/history`)
      .set('authorization', `Bearer ${token}`)
      .expect(200);
    expect(recorded.body.events.at(-1)).toMatchObject({
      type: 'NationalSignOffRecorded',
      actor: { sub: 'aliya.kaz', role: 'focal-point', country: 'KAZ' },
    });
    expect(await page.evaluate(() => Object.keys(localStorage))).not.toContain('accord.session');
    await context.close();
  });

  /** The secretariat proposes through the API with a token of the provider, got as the console gets one. */
  async function proposedAsSecretariat(): Promise<string> {
    const { context, page } = await newPerson(browser);
    await page.goto(`${server.url}/console/`);
    await page.getByRole('button', { name: 'Sign in with your organisation' }).click();
    await page.locator('input[name="login"]').fill('sg.office');
    await page.locator('input[name="password"]').fill('any password');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();
    const token = await page.evaluate(() => sessionStorage.getItem('accord.session') as string);
    await context.close();
    return proposed({ ...server, auth: () => `Bearer ${token}` });
  }
});
