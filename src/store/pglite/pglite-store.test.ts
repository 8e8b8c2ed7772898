import type { PGlite } from '@electric-sql/pglite';
import { openPglite } from '../../pglite/open-pglite.js';
import { describeStoreConformance } from '../../testing/conformance/store/store-suite.js';
import { migrate } from '../migrate.js';
import { createPgliteStore } from './pglite-store.js';

// One in-memory instance for the whole file: opening PGlite takes seconds; cases use fresh ids.
describeStoreConformance('pglite (memory)', async () => {
  const db: PGlite = await openPglite('memory');
  await migrate({ pglite: db });
  return {
    store: createPgliteStore(db),
    migrate: () => migrate({ pglite: db }),
    teardown: () => db.close(),
  };
});
