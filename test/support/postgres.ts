import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The PostgreSQL server the tests use for real: the machine's own, unless ACCORD_TEST_DATABASE_URL says otherwise. */
export const TEST_DATABASE_URL =
  process.env.ACCORD_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A schema of its own for one test's read store, dropped afterwards: tests never see each other's rows. */
export async function createTestSchema(): Promise<{ url: string; drop: () => Promise<void> }> {
  const schema = `accord_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { url: url.toString(), drop: () => dropTestSchema(url.toString()) };
}

/** Drops the schema a URL of createTestSchema points at. */
export async function dropTestSchema(url: string): Promise<void> {
  const schema = /search_path=(accord_test_[0-9a-f]+)/.exec(decodeURIComponent(url))?.[1];
  if (!schema) throw new Error(`Not a test schema URL: ${url}`);
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
}
