import { DEFAULT_MAX_REQUEST_BYTES, splitBySize } from './kafka-publisher';

const message = (bytes: number, index = 0) => ({
  key: `k${index}`,
  value: 'x'.repeat(bytes),
  headers: { 'content-type': 'application/cloudevents+json', ce_id: `id-${index}`, ce_type: 't' },
});

describe('splitBySize', () => {
  it('keeps a batch under the limit in one request', () => {
    const batch = Array.from({ length: 1000 }, (_, index) => message(800, index));
    expect(splitBySize(batch, DEFAULT_MAX_REQUEST_BYTES)).toEqual([batch]);
  });

  it('splits a larger batch into requests under the limit, in order, losing nothing', () => {
    const batch = Array.from({ length: 1000 }, (_, index) => message(5000, index));
    const chunks = splitBySize(batch, DEFAULT_MAX_REQUEST_BYTES);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.flat()).toEqual(batch);
    for (const chunk of chunks)
      expect(chunk.reduce((sum, item) => sum + item.value.length + 200, 0)).toBeLessThanOrEqual(
        DEFAULT_MAX_REQUEST_BYTES + 200 * chunk.length,
      );
  });

  it('sends a record larger than the limit alone', () => {
    const batch = [message(10), message(2_000_000), message(10)];
    expect(splitBySize(batch, DEFAULT_MAX_REQUEST_BYTES).map((chunk) => chunk.length)).toEqual([1, 1, 1]);
  });

  it('counts UTF-8 bytes, not characters', () => {
    const batch = [message(0), message(0)].map((item) => ({ ...item, value: 'é'.repeat(400) }));
    expect(splitBySize(batch, 1000)).toHaveLength(2);
  });
});
