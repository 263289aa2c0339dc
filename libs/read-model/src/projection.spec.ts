import { CHUNK, inChunks } from './projection';

async function chunkSizes(rows: number): Promise<{ sizes: number[]; rows: number[] }> {
  const sizes: number[] = [];
  const seen: number[] = [];
  await inChunks(
    Array.from({ length: rows }, (_, index) => index),
    async (chunk) => {
      sizes.push(chunk.length);
      seen.push(...chunk);
    },
  );
  return { sizes, rows: seen };
}

describe('inChunks', () => {
  it('writes every row once, in order, in chunks of at most CHUNK rows', async () => {
    for (const rows of [0, 1, 7, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 100]) {
      const written = await chunkSizes(rows);
      expect(written.rows).toEqual(Array.from({ length: rows }, (_, index) => index));
      expect(Math.max(0, ...written.sizes)).toBeLessThanOrEqual(CHUNK);
    }
  });

  it('uses only power-of-two chunk sizes, so that a statement is prepared for a few row counts only', async () => {
    expect((await chunkSizes(300)).sizes).toEqual([256, 32, 8, 4]);
    expect((await chunkSizes(2 * CHUNK + 3)).sizes).toEqual([CHUNK, CHUNK, 2, 1]);
    const sizes = new Set<number>();
    for (let rows = 1; rows <= 2 * CHUNK; rows++)
      for (const size of (await chunkSizes(rows)).sizes) sizes.add(size);
    expect([...sizes].sort((a, b) => a - b)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256]);
  });
});
