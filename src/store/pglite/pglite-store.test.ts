import { openPglite } from '../../pglite/open-pglite.js';
import { openPgliteThread } from '../../pglite/pglite-thread.js';
import { describeStoreConformance } from '../../testing/conformance/store/store-suite.js';
import { migrate } from '../migrate.js';
import { createPgliteStore } from './pglite-store.js';

// One in-memory instance per suite: opening PGlite takes seconds; cases use fresh ids.
describeStoreConformance('pglite (memory)', async () => {
  const db = await openPglite('memory');
  await migrate({ pglite: db });
  return {
    store: createPgliteStore(db),
    migrate: () => migrate({ pglite: db }),
    teardown: () => db.close(),
  };
});

// What a node runs: the same instance on its own thread.
describeStoreConformance('pglite (own thread)', async () => {
  const db = await openPgliteThread('memory');
  await migrate({ pglite: db });
  return {
    store: createPgliteStore(db),
    migrate: () => migrate({ pglite: db }),
    teardown: () => db.close(),
  };
});
