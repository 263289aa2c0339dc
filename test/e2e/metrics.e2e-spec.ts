import { proposed, signedOff, startTestApp, TestApp } from './support';

/** What GET /metrics reports: the standard process metrics, and commands counted under the code the API answered. */
describe('Prometheus metrics', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await startTestApp({ store: 'sqlite' });
  });
  afterAll(() => testApp.close());

  const scrape = async () => (await testApp.http().get('/metrics').expect(200)).text;

  it('names the default process metrics as Prometheus clients do, without a prefix', async () => {
    const text = await scrape();
    expect(text).toMatch(/^process_cpu_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
    expect(text).not.toMatch(/accord_process_/);
  });

  it('counts a failed If-Match as revision-mismatch, the code the API answers', async () => {
    const id = await proposed(testApp, { participatingStates: ['KAZ', 'AZE', 'TUR'] });
    await signedOff(testApp, id, 'AZE').expect(201);
    const refused = await signedOff(testApp, id, 'KAZ').set('if-match', '"0"');
    expect({ status: refused.status, code: refused.body.code }).toEqual({
      status: 412,
      code: 'revision-mismatch',
    });
    const text = await scrape();
    expect(text).toMatch(
      /^accord_commands_total\{type="RecordNationalSignOff",outcome="revision-mismatch"\} 1$/m,
    );
    expect(text).not.toMatch(/outcome="error"/);
  });
});
