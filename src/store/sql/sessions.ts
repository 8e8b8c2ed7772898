import { and, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import type { NewSession, SessionRecord } from '../../core/session.js';
import { apiKeys, browserSessions as s } from '../schema.js';
import type { Db } from './db.js';

type SessionRow = typeof s.$inferSelect;

function toSession(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    project: row.project,
    admin: row.admin,
    via: row.via,
    principalId: row.principalId,
    keyId: row.keyId,
    subject: row.subject,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
  };
}

/** Ended sessions are kept this long after their end (a sign-in's audit trail), then deleted. */
const ENDED_SESSION_KEPT = sql`interval '1 day'`;

export async function insertSession(db: Db, session: NewSession): Promise<SessionRecord> {
  // Each sign-in clears sessions that ended a day ago or more: the table holds the live ones and
  // a day of history, without a sweeper of its own.
  await db.delete(s).where(lt(s.expiresAt, sql`now() - ${ENDED_SESSION_KEPT}`));
  const [row] = await db.insert(s).values(session).returning();
  return toSession(row!);
}

/**
 * One statement decides, at the database's clock: the session and the key it was made with are
 * read together, so a key revoked through any gateway ends its sessions at once.
 */
export async function findActiveSession(db: Db, secretHash: string): Promise<SessionRecord | null> {
  const [row] = await db
    .select({ session: s })
    .from(s)
    .leftJoin(apiKeys, eq(apiKeys.id, s.keyId))
    .where(
      and(
        eq(s.secretHash, secretHash),
        isNull(s.revokedAt),
        gt(s.expiresAt, sql`now()`),
        or(
          isNull(s.keyId),
          and(isNull(apiKeys.revokedAt), or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, sql`now()`))),
        ),
      ),
    );
  return row ? toSession(row.session) : null;
}

export async function revokeSession(db: Db, id: string): Promise<SessionRecord | null> {
  const [row] = await db
    .update(s)
    .set({ revokedAt: sql`coalesce(${s.revokedAt}, now())` })
    .where(eq(s.id, id))
    .returning();
  return row ? toSession(row) : null;
}
