import { mkdtempSync, writeFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../apps/cli/src/cli';
import { captureStdout } from '../support/capture-stdout';
import { MEMBERS, startTestApp, TEST_SECRET, TestApp } from './support';

/** The README's signed walkthrough: keys for every member state, a parties file of them, and the demo signing. */
describe('The demo with a key for every member state', () => {
  const keys = mkdtempSync(join(tmpdir(), 'accord-demo-keys-'));
  const saved = { ...process.env };
  let testApp: TestApp;
  let url: string;

  beforeAll(async () => {
    for (const party of MEMBERS)
      expect(
        (
          await captureStdout(() =>
            runCli(['keys', 'generate', '--party', party, '--out', join(keys, `${party}.private.jwk.json`)]),
          )
        ).code,
      ).toBe(0);
    const parties = await captureStdout(() => runCli(['keys', 'parties', keys]));
    expect(parties.code).toBe(0);
    const file = join(keys, 'parties.json');
    writeFileSync(file, parties.output);
    testApp = await startTestApp({ store: 'sqlite', env: { ACCORD_PARTIES_FILE: file } });
    await testApp.app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(testApp.app.getHttpServer().address() as AddressInfo).port}`;
    // The demo mints its tokens as `npm run token` does: from the server's secret.
    Object.assign(process.env, {
      ACCORD_JWT_SECRET: TEST_SECRET,
      ACCORD_PARTIES_FILE: file,
      LOG_LEVEL: 'silent',
    });
  });
  afterAll(async () => {
    process.env = saved;
    await testApp.close();
  });

  it('signs every decision of the states, and every signature verifies', async () => {
    const demo = await captureStdout(() => runCli(['demo', '--url', url, '--keys', keys]));
    expect(demo.code).toBe(0);
    const funded = '0f7a1c2e-5b3d-4e8f-9a6b-000000000001';
    const audit = await testApp
      .http()
      .get(`/v1/initiatives/${funded}/audit`)
      .set('authorization', testApp.auth('auditor'));
    expect(audit.body.verified).toBe(true);
    // KAZ proposes, the five states sign off (the last approves), the fund board (no keys) decides unsigned.
    expect(audit.body.revisions.map((revision: { signature: string }) => revision.signature)).toEqual([
      'valid',
      ...MEMBERS.map(() => 'valid'),
      'unsigned',
      'unsigned',
    ]);
  });
});
