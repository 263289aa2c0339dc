import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { COSIGNATURE_V1, cosigner, generateSignerKey, verifierKeyOf } from '@accord/tlog';
import {
  ConsoleServer,
  eventually,
  launchChromium,
  MEMBERS,
  newPerson,
  proposed,
  screenshot,
  seriousViolations,
  signedOff,
  signInWithToken,
  startConsoleServer,
} from './support';

jest.setTimeout(120_000);

const ROOT = join(__dirname, '..', '..');
const BUILT = join(ROOT, 'dist', 'console');
const LOCALES = join(ROOT, 'apps', 'console', 'src', 'locales');

/**
 * The console in Debian's Chromium, against the whole API on SQLite: focal points, the secretariat and auditors at
 * their own screens (one browser context each), doing what they come for.
 */
describe('Console', () => {
  let server: ConsoleServer;
  let browser: Browser;
  const witnessKey = generateSignerKey('witness.kaz.example', COSIGNATURE_V1);

  beforeAll(async () => {
    const parties = join(mkdtempSync(join(tmpdir(), 'accord-console-')), 'parties.json');
    writeFileSync(
      parties,
      JSON.stringify([
        ...MEMBERS.map((code) => ({
          code,
          name: {
            AZE: 'Azerbaijan',
            KAZ: 'Kazakhstan',
            KGZ: 'Kyrgyzstan',
            TUR: 'Türkiye',
            UZB: 'Uzbekistan',
          }[code],
          role: 'member',
          ...(code === 'KAZ' ? { witnessKeys: [verifierKeyOf(witnessKey)] } : {}),
        })),
        { code: 'HUN', name: 'Hungary', role: 'observer' },
      ]),
    );
    server = await startConsoleServer({ ACCORD_PARTIES_FILE: parties, ACCORD_CHECKPOINT_INTERVAL: '1' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const amend = (id: string, body: Record<string, unknown>) =>
    server
      .http()
      .post(`/v1/initiatives/${id}/amendments`)
      .set('authorization', server.auth('secretariat'))
      .send(body)
      .expect(201);

  describe('as served', () => {
    it('is under a Content-Security-Policy that allows scripts from its own origin only, and has no inline script', async () => {
      const page = await fetch(`${server.url}/console/`);
      const policy = page.headers.get('content-security-policy') ?? '';
      expect(policy).toContain("script-src 'self'");
      expect(policy).toContain("default-src 'none'");
      expect(policy).not.toContain('unsafe-inline');
      const html = await page.text();
      expect(html.match(/<script\b[^>]*>/g)).toEqual([
        expect.stringMatching(/ src="\/console\/assets\/[\w-]+\.js"/),
      ]);
      expect(html).not.toMatch(/<script\b[^>]*>[^<]/);
      expect(html).not.toMatch(/ on\w+=/i);
      const redirect = await fetch(`${server.url}/console`, { redirect: 'manual' });
      expect([redirect.status, redirect.headers.get('location')]).toEqual([301, '/console/']);
      expect(await (await fetch(`${server.url}/console/config.json`)).json()).toEqual({ oidc: null });
    });

    it('weighs at most 250 KB of JavaScript, gzipped', () => {
      const scripts = readdirSync(join(BUILT, 'assets')).filter((file) => file.endsWith('.js'));
      const gzipped = scripts.reduce(
        (total, file) => total + gzipSync(readFileSync(join(BUILT, 'assets', file)), { level: 9 }).length,
        0,
      );
      console.log(`console JavaScript: ${scripts.length} file(s), ${(gzipped / 1024).toFixed(1)} KB gzipped`);
      expect(gzipped).toBeLessThanOrEqual(250 * 1024);
    });
  });

  it("has five focal points in five browser contexts sign off, and the secretariat's action plan shows the initiative approved", async () => {
    const title = 'Joint CubeSat constellation';
    const people = await Promise.all(
      MEMBERS.map(async (state) => {
        const person = await newPerson(browser);
        await signInWithToken(person.page, server, server.auth('focal-point', state));
        return { state, ...person };
      }),
    );
    // Proposed while their inboxes are open: it appears in each within 5 s, without a reload.
    const proposedAt = Date.now();
    await proposed(server, { title, category: 'space' });
    await Promise.all(
      people.map(({ page }) => page.getByRole('link', { name: title }).waitFor({ timeout: 5000 })),
    );
    expect(Date.now() - proposedAt).toBeLessThan(5000);

    await Promise.all(
      people.map(async ({ page, state }, index) => {
        await page.getByRole('link', { name: title }).click();
        await page.getByRole('heading', { level: 1, name: title }).waitFor();
        if (index === 0) await signOffWithKeyboardOnly(page, `${state} agrees`);
        else {
          await page.getByRole('radio', { name: 'Approve' }).check();
          await page.getByLabel('Comment').fill(`${state} agrees`);
          await page.getByRole('button', { name: 'Sign off' }).click();
        }
        await page.getByText('Your sign-off (Approved) was recorded.').waitFor();
      }),
    );
    // Every screen shows the outcome: the last sign-off approved it.
    for (const { page } of people) await page.getByText('Approved', { exact: true }).first().waitFor();

    const { context, page } = await newPerson(browser);
    await signInWithToken(page, server, server.auth('secretariat'));
    await page.getByRole('link', { name: 'Action plan' }).click();
    await page.getByRole('heading', { level: 1, name: 'Action plan' }).waitFor();
    const row = page.getByRole('row', { name: new RegExp(title) });
    await eventually(async () => expect(await row.getByRole('cell').nth(0).textContent()).toBe('Approved'));
    await Promise.all([...people.map((person) => person.context.close()), context.close()]);
  });

  it('shows what an amendment changed as a diff, and the sign-offs it voided, on the screen of a state that had signed', async () => {
    const id = await proposed(server, {
      title: 'Turkic investment platform',
      summary: 'An online platform matching investors with projects across member states.',
      requestedFunding: { amount: '750000.00', currency: 'USD' },
    });
    await signedOff(server, id, 'TUR').expect(201);
    const { context, page } = await newPerson(browser);
    await signInWithToken(page, server, server.auth('focal-point', 'KAZ'));
    await page.goto(`${server.url}/console/#/initiatives/${id}`);
    await page.getByRole('heading', { level: 1, name: 'Turkic investment platform' }).waitFor();
    await page.getByRole('radio', { name: 'Approve' }).check();
    await page.getByRole('button', { name: 'Sign off' }).click();
    await page.getByText('Your sign-off (Approved) was recorded.').waitFor();
    const signOffs = page
      .getByRole('table')
      .filter({ has: page.getByRole('columnheader', { name: 'Decision' }) });
    await eventually(async () =>
      expect(await signOffs.getByRole('row', { name: /Kazakhstan/ }).textContent()).toContain('Approved'),
    );

    await amend(id, {
      proposalVersion: 1,
      summary: 'An online platform matching investors with projects across member states, open to SMEs.',
      requestedFunding: { amount: '900000.00', currency: 'USD' },
    });

    // Without a reload: version 2, what changed, every state pending again, the old sign-offs struck out.
    await page.getByText('Version 2').first().waitFor({ timeout: 5000 });
    const diff = page.getByRole('region', { name: 'What changed from version 1 to version 2' });
    await diff.waitFor();
    expect(await diff.locator('dt').allTextContents()).toEqual(['Summary', 'Requested funding']);
    expect(await diff.locator('del').allTextContents()).toEqual([
      '[removed: states.]',
      '[removed: $750,000.00]',
    ]);
    expect(await diff.locator('ins').allTextContents()).toEqual([
      '[added: states, open to SMEs.]',
      '[added: $900,000.00]',
    ]);
    for (const state of ['Kazakhstan', 'Türkiye'])
      expect(await signOffs.getByRole('row', { name: new RegExp(state) }).textContent()).toContain('Pending');
    const voided = page.getByRole('list').filter({ hasText: 'on version 1' });
    expect(await voided.getByRole('listitem').allTextContents()).toEqual([
      expect.stringMatching(/^Türkiye: Approved on version 1, .+ Voided$/),
      expect.stringMatching(/^Kazakhstan: Approved on version 1, .+ Voided$/),
    ]);
    expect(await voided.locator('del').count()).toBe(2);
    // Kazakhstan decides again, on the new text.
    await page.getByRole('button', { name: 'Sign off' }).waitFor();
    await screenshot(page, 'initiative');
    await context.close();
  });

  it('lets an auditor move the Revision slider and see the initiative as it stood at each revision, with the chain, signatures and log', async () => {
    const id = await proposed(server, {
      title: 'Green hydrogen corridor',
      summary: 'A pipeline and port corridor carrying green hydrogen from Central Asia to Türkiye.',
      category: 'green-technology',
    });
    await signedOff(server, id, 'KAZ').expect(201);
    await signedOff(server, id, 'UZB', 'abstain').expect(201);
    await amend(id, { proposalVersion: 1, title: 'Green hydrogen and ammonia corridor' });
    const expected = [
      { title: 'Green hydrogen corridor', version: 'Version 1', signed: 'none' },
      { title: 'Green hydrogen corridor', version: 'Version 1', signed: 'KAZ: Approved' },
      { title: 'Green hydrogen corridor', version: 'Version 1', signed: 'KAZ: Approved, UZB: Abstained' },
      { title: 'Green hydrogen and ammonia corridor', version: 'Version 2', signed: 'none' },
    ];
    await cosignLatestCheckpoint();

    const { context, page } = await newPerson(browser);
    await signInWithToken(page, server, server.auth('auditor'));
    await page.goto(`${server.url}/console/#/initiatives/${id}/audit`);
    await page.getByRole('heading', { level: 1, name: 'Audit trail' }).waitFor();
    await page.getByText('Chain verified').waitFor();
    const slider = page.getByRole('slider', { name: 'Revision' });
    expect(await slider.inputValue()).toBe('3');
    const asItStood = page.locator('.as-it-stood');
    const shows = async (revision: number) => {
      const { title, version, signed } = expected[revision];
      await eventually(async () => {
        expect(await slider.inputValue()).toBe(String(revision));
        expect(await asItStood.getByRole('heading', { level: 3 }).textContent()).toBe(title);
        expect(await asItStood.textContent()).toContain(version);
        expect(await asItStood.textContent()).toContain(`Sign-offs of this version so far: ${signed}`);
      });
    };
    await shows(3);
    // With the keyboard, as the slider is meant to be moved: Home, then one revision at a time.
    await slider.focus();
    await page.keyboard.press('Home');
    await shows(0);
    for (const revision of [1, 2, 3]) {
      await page.keyboard.press('ArrowRight');
      await shows(revision);
    }
    await page.getByRole('button', { name: 'Show revision 1' }).click();
    await shows(1);

    const timeline = page.getByRole('list').filter({ hasText: 'Revision 0: Proposed' });
    expect(await timeline.getByRole('listitem').count()).toBe(4);
    expect(await timeline.getByText('Unsigned').count()).toBe(4);
    const log = page.getByRole('region', { name: 'Transparency log' });
    await eventually(async () => expect(await log.textContent()).toContain('witness.kaz.example'), 10_000);
    expect(await log.textContent()).toContain('accord.local/log');
    await screenshot(page, 'audit-trail');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download bundle' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`accord-audit-bundle-${id}.json`);
    const bundle = JSON.parse(readFileSync(await download.path(), 'utf8'));
    expect(bundle).toMatchObject({ format: 'accord-audit-bundle/1', initiativeId: id, eventCount: 4 });
    await context.close();
  });

  it('shows a title that is HTML as text, and runs no script of it, on every page', async () => {
    const title = '<img src=x onerror=alert(1)>';
    const id = await proposed(server, { title, participatingStates: ['AZE', 'KAZ'] });
    const { context, page } = await newPerson(browser);
    const dialogs: string[] = [];
    page.removeAllListeners('dialog');
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    await signInWithToken(page, server, server.auth('focal-point', 'AZE'));
    await page.getByRole('link', { name: title }).waitFor();
    for (const path of [`#/initiatives/${id}`, `#/initiatives/${id}/audit`, '#/action-plan']) {
      await page.goto(`${server.url}/console/${path}`);
      await page.getByText(title).first().waitFor();
    }
    expect(await page.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(requested.filter((url) => /\/x$/.test(url))).toEqual([]);
    await context.close();
  });

  it('exports the action plan, as filtered, to CSV', async () => {
    await proposed(server, {
      title: '=HYPERLINK("https://example.org")',
      category: 'standardization',
      participatingStates: ['KAZ', 'KGZ'],
    });
    const { context, page } = await newPerson(browser);
    await signInWithToken(page, server, server.auth('secretariat'));
    await page.goto(`${server.url}/console/#/action-plan`);
    await page.getByLabel('State', { exact: true }).selectOption({ label: 'Türkiye' });
    await eventually(async () => expect(await page.getByRole('row', { name: /HYPERLINK/ }).count()).toBe(0));
    await screenshot(page, 'action-plan');
    await page.getByLabel('State', { exact: true }).selectOption({ label: 'All' });
    await page.getByLabel('Category', { exact: true }).selectOption({ label: 'Standardization' });
    await page
      .getByRole('status')
      .filter({ hasText: /^1 initiative ·/ })
      .waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const lines = readFileSync(await download.path(), 'utf8')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toBe(
      '"initiativeId","title","category","status","proposingState","participatingStates","proposalVersion","signOffDeadline","requestedAmount","currency"',
    );
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(
        /^"[0-9a-f-]{36}","'=HYPERLINK\(""https:\/\/example\.org""\)","standardization","awaiting-sign-offs","KAZ","KAZ KGZ","1","[^"]+","1500000\.00","USD"$/,
      ),
    ]);
    await context.close();
  });

  describe('in Russian and Turkish', () => {
    it('has every string of the English resource file in each language file, with the plural forms it uses', () => {
      const read = (file: string) => JSON.parse(readFileSync(join(LOCALES, file), 'utf8'));
      const english = read('en.json');
      const files = readdirSync(LOCALES).filter((file) => file.endsWith('.json'));
      expect(files).toEqual(expect.arrayContaining(['en.json', 'ru.json', 'tr.json']));
      for (const file of files) {
        const locale = file.replace(/\.json$/, '');
        const messages = read(file);
        expect({ locale, keys: Object.keys(messages).sort() }).toEqual({
          locale,
          keys: Object.keys(english).sort(),
        });
        const categories = new Intl.PluralRules(locale).resolvedOptions().pluralCategories.sort();
        for (const [key, value] of Object.entries(messages))
          if (typeof value === 'object')
            expect({ locale, key, forms: Object.keys(value as object).sort() }).toEqual({
              locale,
              key,
              forms: categories,
            });
      }
    });

    it('switches language with the Language switch: its words, and dates and amounts as the language writes them', async () => {
      const id = await proposed(server, {
        title: 'Turkic research fund',
        signOffDeadline: '2031-03-15T09:00:00Z',
        requestedFunding: { amount: '1500000.00', currency: 'USD' },
      });
      const { context, page } = await newPerson(browser);
      await signInWithToken(page, server, server.auth('focal-point', 'KGZ'));
      await page.goto(`${server.url}/console/#/initiatives/${id}`);
      await page.getByRole('heading', { level: 1, name: 'Turkic research fund' }).waitFor();
      const details = page.locator('dl.details');

      await page.getByLabel('Language').selectOption({ label: 'Русский' });
      await page.getByRole('button', { name: 'Подписать' }).waitFor();
      expect(await page.getAttribute('html', 'lang')).toBe('ru');
      expect(await page.getByRole('navigation').textContent()).toContain('Входящие');
      expect(await details.textContent()).toMatch(/15 мар\. 2031 г\., 14:00/);
      expect(await details.textContent()).toMatch(/1\s500\s000,00\s\$/);

      await page.getByLabel('Язык').selectOption({ label: 'Türkçe' });
      await page.getByRole('button', { name: 'Kararı imzala' }).waitFor();
      expect(await page.getAttribute('html', 'lang')).toBe('tr');
      expect(await details.textContent()).toContain('15 Mar 2031 14:00');
      expect(await details.textContent()).toContain('$1.500.000,00');

      // The choice is kept for the next visit (a preference, not a secret: localStorage holds nothing else).
      await page.reload();
      await page.getByRole('button', { name: 'Kararı imzala' }).waitFor();
      expect(await page.evaluate(() => Object.keys(localStorage))).toEqual(['accord.language']);
      await context.close();
    });
  });

  it('keeps the token in sessionStorage only, and asks to sign in again once the API refuses it', async () => {
    const { context, page } = await newPerson(browser);
    await signInWithToken(page, server, server.auth('auditor'));
    expect(await page.evaluate(() => Object.keys(sessionStorage))).toEqual(['accord.session']);
    expect(await page.evaluate(() => Object.keys(localStorage))).not.toContain('accord.session');
    // A token whose signature the API refuses: the next call answers 401.
    await page.evaluate(() =>
      sessionStorage.setItem('accord.session', `${sessionStorage.getItem('accord.session')}x`),
    );
    await page.reload();
    await page.getByText('Your session has ended: please sign in again.').waitFor();
    await page.getByLabel('Access token', { exact: true }).waitFor();
    expect(await page.evaluate(() => Object.keys(sessionStorage))).toEqual([]);
    await context.close();
  });

  it('takes a keyboard from the skip link to the page content, the page staying the same', async () => {
    const { context, page } = await newPerson(browser);
    await signInWithToken(page, server, server.auth('auditor'));
    // Signing in moved the focus to the inbox's heading; a page loaded anew starts at the skip link.
    expect(await focused(page)).toMatchObject({ text: 'Inbox', inMain: true });
    await page.goto(`${server.url}/console/#/action-plan`);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Action plan' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ text: 'Skip to content' });
    await page.keyboard.press('Enter');
    expect(await focused(page)).toMatchObject({ id: 'main' });
    expect(new URL(page.url()).hash).toBe('#/action-plan');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ id: 'filter-status' });
    // Moving to another page moves the focus to its heading, as a reader of that page expects.
    await page.getByRole('link', { name: 'Inbox' }).press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();
    expect(await focused(page)).toMatchObject({ text: 'Inbox', inMain: true });
    await context.close();
  });

  it('has no serious or critical accessibility violation (axe-core) on any page', async () => {
    const id = await proposed(server, { title: 'Digital trade corridor', category: 'industry-and-trade' });
    await signedOff(server, id, 'AZE').expect(201);
    await amend(id, { proposalVersion: 1, summary: 'A digital trade corridor with common customs data.' });
    const found: Record<string, unknown> = {};
    const check = async (page: Page, name: string) => {
      found[name] = await seriousViolations(page);
    };
    const { context, page } = await newPerson(browser);
    await page.goto(`${server.url}/console/`);
    await page.getByLabel('Access token', { exact: true }).waitFor();
    await check(page, 'sign-in');
    await signInWithToken(page, server, server.auth('focal-point', 'KAZ'));
    await page.getByRole('link', { name: 'Digital trade corridor' }).waitFor();
    await check(page, 'inbox');
    await page.goto(`${server.url}/console/#/initiatives/${id}`);
    await page.getByRole('region', { name: /What changed/ }).waitFor();
    await page.getByRole('button', { name: 'Sign off' }).waitFor();
    await check(page, 'initiative with its diff and sign-off form');
    await page.getByRole('button', { name: 'Sign off' }).click();
    await page.getByRole('alert').waitFor();
    await check(page, 'initiative with an error');
    await page.goto(`${server.url}/console/#/action-plan`);
    await page.getByRole('img', { name: 'Initiatives by status' }).waitFor();
    await check(page, 'action plan');
    await page.goto(`${server.url}/console/#/initiatives/${id}/audit`);
    await page.getByRole('slider', { name: 'Revision' }).waitFor();
    await page.locator('.as-it-stood').waitFor();
    await check(page, 'audit trail');
    await page.getByLabel('Language').selectOption({ label: 'Русский' });
    await page.getByRole('heading', { level: 1, name: 'Журнал аудита' }).waitFor();
    await check(page, 'audit trail in Russian');
    expect(found).toEqual(Object.fromEntries(Object.keys(found).map((name) => [name, []])));
    await context.close();
  });

  /**
   * A witness of Kazakhstan cosigns the log's checkpoint once it covers every event so far (the log signs at most
   * every second: the same checkpoint twice, 1.5 s apart), as `accord witness` does.
   */
  async function cosignLatestCheckpoint(): Promise<void> {
    const witness = `Bearer ${await server.token('witness', 'KAZ')}`;
    let note = '';
    for (let previous: string | null = null; note !== previous;) {
      previous = note;
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      note = (await server.http().get('/v1/log/checkpoint').set('authorization', witness).expect(200)).text;
    }
    const text = note.slice(0, note.indexOf('\n\n') + 1);
    const signer = cosigner(witnessKey);
    const line = `— ${signer.name} ${Buffer.concat([signer.keyId, signer.sign(Buffer.from(text))]).toString('base64')}`;
    await server
      .http()
      .post('/v1/log/cosignatures')
      .set('authorization', witness)
      .send({ checkpoint: note, cosignature: line })
      .expect(201);
    // The checkpoint is served from the read model: with the cosignature once the projector applied it.
    await eventually(async () => {
      const served = await server.http().get('/v1/log/checkpoint').set('authorization', witness);
      expect(served.text).toContain(line);
    }, 10_000);
  }
});

/**
 * A sign-off with the keyboard alone: Tab to the first choice, Space to choose it, Tab to the comment, type, Tab to
 * the button, Enter — as someone who does not use a mouse.
 */
async function signOffWithKeyboardOnly(page: Page, comment: string): Promise<void> {
  await tabTo(page, page.getByRole('radio', { name: 'Approve' }));
  await page.keyboard.press('Space');
  await tabTo(page, page.getByLabel('Comment'));
  await page.keyboard.type(comment);
  await tabTo(page, page.getByRole('button', { name: 'Sign off' }));
  await page.keyboard.press('Enter');
}

async function tabTo(page: Page, target: ReturnType<Page['locator']>): Promise<void> {
  for (let presses = 0; presses < 60; presses++) {
    if (await target.evaluate((element) => element.ownerDocument.activeElement === element)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error('Tab never reached the element');
}

/** The element that has the keyboard focus (evaluated in the page: this file has no DOM types). */
function focused(page: Page): Promise<{ id: string; text: string; inMain: boolean }> {
  return page.evaluate(`({
    id: document.activeElement.id,
    text: document.activeElement.textContent,
    inMain: document.activeElement.closest('main') !== null,
  })`);
}
