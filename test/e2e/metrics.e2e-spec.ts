import { startTestApp, TestApp } from './support';

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
});
