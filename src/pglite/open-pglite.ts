import { PGlite } from '@electric-sql/pglite';

/**
 * Opens the embedded database in this thread: a directory for data that survives restarts, or
 * `'memory'` for tests and throw-away runs. A node opens it on a thread of its own instead
 * (`openPgliteThread`); both answer the same. Takes 2-3 s and ~0.75 GB RSS, so open one per
 * process and share it (store and queue); only one process may open a given directory.
 */
export async function openPglite(dataDir: string | 'memory'): Promise<PGlite> {
  return dataDir === 'memory' ? PGlite.create() : PGlite.create({ dataDir });
}
