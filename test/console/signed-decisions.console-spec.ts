import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { runCli } from '../../apps/cli/src/cli';
import { captureStdout } from '../support/capture-stdout';
import {
  ConsoleServer,
  launchChromium,
  newPerson,
  proposed,
  signInWithToken,
  startConsoleServer,
} from './support';

jest.setTimeout(120_000);

/**
 * Signed decisions (docs/trust.md §2) made in the browser: a state with keys signs each decision with WebCrypto,
 * from the private key file `accord keys generate` wrote, and the key never leaves the page.
 */
describe('Console signed decisions', () => {
  const keys = mkdtempSync(join(tmpdir(), 'accord-console-keys-'));
  const keyFile = (state: string) => join(keys, `${state}.private.jwk.json`);
  let server: ConsoleServer;
  let browser: Browser;

  beforeAll(async () => {
    // Kazakhstan signs with Ed25519, Türkiye with P-256; the other states have no keys.
    for (const [state, alg] of [
      ['KAZ', 'EdDSA'],
      ['TUR', 'ES256'],
    ])
      expect(
        (
          await captureStdout(() =>
            runCli(['keys', 'generate', '--party', state, '--alg', alg, '--out', keyFile(state)]),
          )
        ).code,
      ).toBe(0);
    const parties = await captureStdout(() => runCli(['keys', 'parties', keys]));
    writeFileSync(join(keys, 'parties.json'), parties.output);
    server = await startConsoleServer({ ACCORD_PARTIES_FILE: join(keys, 'parties.json') });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function initiativePage(state: string, id: string): Promise<{ page: Page; sent: string[] }> {
    const { page } = await newPerson(browser);
    const sent: string[] = [];
    page.on('request', (request) => sent.push(`${request.url()} ${request.postData() ?? ''}`));
    await signInWithToken(page, server, server.auth('focal-point', state));
    await page.goto(`${server.url}/console/#/initiatives/${id}`);
    await page.getByRole('heading', { level: 1, name: 'CubeSat programme' }).waitFor();
    return { page, sent };
  }

  it('signs a sign-off and a change request in the browser with the state key, which is never sent', async () => {
    const id = await proposed(server, { title: 'CubeSat programme', category: 'space' });

    const kazakhstan = await initiativePage('KAZ', id);
    const page = kazakhstan.page;
    const field = page.getByLabel('Signing key');
    await page.getByRole('radio', { name: 'Approve' }).check();
    await page.getByRole('button', { name: 'Sign off' }).click();
    await page.getByText('Your state signs its decisions: choose its signing key first.').waitFor();
    await field.setInputFiles(keyFile('TUR'));
    await page.getByText('This key belongs to TUR, not to your state.').waitFor();
    await field.setInputFiles(keyFile('KAZ'));
    const kid = JSON.parse(readFileSync(keyFile('KAZ'), 'utf8')).kid;
    await page.getByText(`Key ${kid}: the decision is signed in this browser.`).waitFor();
    await page.getByRole('button', { name: 'Sign off' }).click();
    await page.getByText('Your sign-off (Approved) was recorded.').waitFor();

    const turkiye = await initiativePage('TUR', id);
    await turkiye.page.getByLabel('Signing key').setInputFiles(keyFile('TUR'));
    await turkiye.page.getByLabel('Comment').fill('Name the launch provider.');
    await turkiye.page.getByRole('button', { name: 'Request changes' }).click();
    await turkiye.page.getByText('Your request for changes was recorded.').waitFor();

    // Not one request carried a private key: neither its d nor the file.
    for (const [state, { sent }] of [
      ['KAZ', kazakhstan],
      ['TUR', turkiye],
    ] as const) {
      const { d } = JSON.parse(readFileSync(keyFile(state), 'utf8'));
      expect(sent.filter((request) => request.includes(d))).toEqual([]);
    }
    // The API verified each signature against the parties file before recording it, and checks it again on audit.
    const audit = await server
      .http()
      .get(`/v1/initiatives/${id}/audit`)
      .set('authorization', server.auth('auditor'))
      .expect(200);
    expect(audit.body.revisions.map((revision: { signature: string }) => revision.signature)).toEqual([
      'unsigned',
      'valid',
      'valid',
    ]);
    const { events } = (
      await server
        .http()
        .get(`/v1/initiatives/${id}/history`)
        .set('authorization', server.auth('auditor'))
        .expect(200)
    ).body;
    expect(
      events.slice(1).map((event: { data: { signature: { alg: string } } }) => event.data.signature.alg),
    ).toEqual(['EdDSA', 'ES256']);

    // A state without keys is not asked for one; the auditor sees each signature's badge.
    const azerbaijan = await initiativePage('AZE', id);
    await azerbaijan.page.getByRole('button', { name: 'Request changes' }).waitFor();
    expect(await azerbaijan.page.getByLabel('Signing key').count()).toBe(0);
    const { page: auditor } = await newPerson(browser);
    await signInWithToken(auditor, server, server.auth('auditor'));
    await auditor.goto(`${server.url}/console/#/initiatives/${id}/audit`);
    const timeline = auditor.getByRole('list').filter({ hasText: 'Revision 0: Proposed' });
    await timeline.waitFor();
    expect(await timeline.getByRole('listitem').allTextContents()).toEqual([
      expect.stringMatching(/^Revision 0: Proposed.*Unsigned/),
      expect.stringMatching(/^Revision 1: Sign-off.*KAZ: Approved.*Signature valid/),
      expect.stringMatching(/^Revision 2: Changes requested.*Signature valid/),
    ]);
  });
});
