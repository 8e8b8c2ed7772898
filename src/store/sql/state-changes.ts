import { asc, eq } from 'drizzle-orm';
import { isUuid } from '../../core/ids.js';
import type { StateChange } from '../../core/store.js';
import { toStateChange } from '../records.js';
import { stateChanges } from '../schema.js';
import type { Db } from './db.js';

export interface StateChangeEntry {
  entity: StateChange['entity'];
  entityId: string;
  from: string | null;
  to: string;
  reason: string;
}

/** Call inside the transaction that applied the change, so the log never disagrees with the row. */
export async function appendStateChange(tx: Db, entry: StateChangeEntry): Promise<void> {
  await tx.insert(stateChanges).values({
    entity: entry.entity,
    entityId: entry.entityId,
    fromStatus: entry.from,
    toStatus: entry.to,
    reason: entry.reason,
  });
}

/** Oldest first; the identity column orders changes made within the same clock tick. */
export async function listStateChanges(db: Db, entityId: string): Promise<StateChange[]> {
  if (!isUuid(entityId)) return [];
  const rows = await db
    .select()
    .from(stateChanges)
    .where(eq(stateChanges.entityId, entityId))
    .orderBy(asc(stateChanges.id));
  return rows.map(toStateChange);
}
