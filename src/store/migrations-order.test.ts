import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER } from './migrations-folder.js';

interface Journal {
  entries: { idx: number; when: number; tag: string }[];
}

describe('committed migrations', () => {
  // The migrator applies only migrations newer than the newest one a database has: a migration
  // dated before its predecessor would be skipped on every database that already has that one.
  it('are dated in the order they apply', () => {
    const journal = JSON.parse(readFileSync(`${MIGRATIONS_FOLDER}/meta/_journal.json`, 'utf8')) as Journal;
    for (let i = 1; i < journal.entries.length; i++) {
      const [before, after] = [journal.entries[i - 1]!, journal.entries[i]!];
      expect(after.idx, after.tag).toBe(before.idx + 1);
      expect(after.when, `${after.tag} must be dated after ${before.tag}`).toBeGreaterThan(before.when);
    }
  });
});
