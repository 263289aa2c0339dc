import type { Browser } from 'playwright-core';
import {
  alterStoredEvent,
  ConsoleServer,
  launchChromium,
  newPerson,
  proposed,
  signInWithToken,
  startConsoleServer,
} from './support';

jest.setTimeout(120_000);

/** What an auditor sees of a history altered behind Accord's back: where it breaks, and what is still readable. */
describe('Console audit trail of an altered history', () => {
  const comment = 'Kyrgyzstan approves the patent office';
  let server: ConsoleServer;
  let browser: Browser;
  let id: string;

  beforeAll(async () => {
    const first = await startConsoleServer();
    id = await proposed(first);
    for (const [state, note] of [
      ['AZE', 'Agreed'],
      ['KGZ', comment],
      ['TUR', 'Agreed too'],
    ])
      await first
        .http()
        .post(`/v1/initiatives/${id}/sign-offs`)
        .set('authorization', first.auth('focal-point', state))
        .send({ state, decision: 'approve', proposalVersion: 1, comment: note })
        .expect(201);
    await first.close({ keepData: true });
    alterStoredEvent(first.dataDir, comment);
    server = await startConsoleServer({}, first.dataDir);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows "Broken at revision 2", the events before it, and the initiative as it stood before it', async () => {
    const { context, page } = await newPerson(browser);
    await signInWithToken(page, server, server.auth('auditor'));
    await page.goto(`${server.url}/console/#/initiatives/${id}/audit`);
    await page.getByText('Broken at revision 2', { exact: true }).waitFor();
    expect(await page.getByText('Chain verified').count()).toBe(0);
    const timeline = page.getByRole('list').filter({ hasText: 'Revision 0: Proposed' });
    expect(await timeline.getByRole('listitem').allTextContents()).toEqual([
      expect.stringMatching(/^Revision 0: Proposed/),
      expect.stringMatching(/^Revision 1: Sign-off.*AZE: Approved/),
      expect.stringMatching(/^Revision 2: Unreadable event.*Chain broken/),
    ]);
    const slider = page.getByRole('slider', { name: 'Revision' });
    expect(await slider.getAttribute('max')).toBe('1');
    await page.locator('.as-it-stood').getByText('Sign-offs of this version so far: AZE: Approved').waitFor();
    await context.close();
  });
});
