import Database from 'better-sqlite3';
import { preparingOnce } from './preparing-once';

describe('A SQLite connection preparing each SQL text once', () => {
  it('hands out the one statement of a text, and another for another text', () => {
    const connection = preparingOnce(new Database(':memory:'));
    const first = connection.prepare('SELECT ? AS answer');
    expect(connection.prepare('SELECT ? AS answer')).toBe(first);
    expect(connection.prepare('SELECT 2 AS answer')).not.toBe(first);
    expect(first.get(42)).toEqual({ answer: 42 });
    expect(first.get(7)).toEqual({ answer: 7 });
    connection.close();
  });
});
