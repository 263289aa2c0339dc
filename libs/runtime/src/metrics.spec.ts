import { AccordMetrics } from './metrics';

describe('AccordMetrics', () => {
  // The API, the projector and the relay all report through this class.
  it('reports the default process metrics under their standard names, without a prefix', async () => {
    const text = await new AccordMetrics().registry.metrics();
    expect(text).toMatch(/^process_cpu_seconds_total \d/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
    expect(text).not.toMatch(/accord_process_/);
  });
});
