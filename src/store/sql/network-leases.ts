import { setTimeout as sleep } from 'node:timers/promises';
import { and, asc, eq, sql } from 'drizzle-orm';
import { AetherError } from '../../core/errors.js';
import { isUuid } from '../../core/ids.js';
import type { NetworkLease, NetworkLeaseFilter, NetworkLeaseRequest } from '../../core/network-lease.js';
import { networkLeases } from '../schema.js';
import type { Db } from './db.js';

/** Each lost race means another allocation won, so N racers settle within N rounds. */
const MAX_ATTEMPTS = 200;

type LeaseRow = typeof networkLeases.$inferSelect;

/** `execute` results differ by driver in type, not in shape: both carry `rows`. */
function rowsOf<T>(result: unknown): T[] {
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

function toNetworkLease(row: LeaseRow): NetworkLease {
  return {
    vmId: row.vmId,
    host: row.host,
    workerId: row.workerId,
    // inet prints a single host without its /32; strip it anyway should a backend add it.
    address: row.address.replace(/\/32$/, ''),
    tapName: row.tapName,
    mac: row.mac,
    allocatedAt: row.allocatedAt,
  };
}

export async function getNetworkLease(db: Db, vmId: string): Promise<NetworkLease | null> {
  if (!isUuid(vmId)) return null;
  const [row] = await db.select().from(networkLeases).where(eq(networkLeases.vmId, vmId));
  return row ? toNetworkLease(row) : null;
}

export async function listNetworkLeases(db: Db, filter: NetworkLeaseFilter): Promise<NetworkLease[]> {
  const rows = await db
    .select()
    .from(networkLeases)
    .where(
      and(
        eq(networkLeases.host, filter.host),
        filter.workerId === undefined ? undefined : eq(networkLeases.workerId, filter.workerId),
      ),
    )
    .orderBy(asc(networkLeases.address));
  return rows.map(toNetworkLease);
}

export async function releaseNetworkLease(db: Db, vmId: string): Promise<NetworkLease | null> {
  if (!isUuid(vmId)) return null;
  const [row] = await db.delete(networkLeases).where(eq(networkLeases.vmId, vmId)).returning();
  return row ? toNetworkLease(row) : null;
}

function validate(request: NetworkLeaseRequest): void {
  const problems: string[] = [];
  if (!isUuid(request.vmId)) problems.push('vmId must be a uuid');
  if (!Number.isInteger(request.count) || request.count < 1 || request.count > 65_536)
    problems.push('count must be 1..65536');
  if (request.tapNames.length === 0) problems.push('tapNames must name at least one TAP device');
  if (problems.length > 0)
    throw new AetherError('ERR_VALIDATION', `network lease request: ${problems.join('; ')}`);
}

/** `ARRAY[$1, $2]::<type>[]`; Drizzle would otherwise expand a JS array into a parenthesised list. */
function arrayOf(values: readonly string[], type: 'text' | 'inet') {
  return sql`ARRAY[${sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  )}]::${sql.raw(type)}[]`;
}

/**
 * One INSERT … SELECT picks the lowest free address and the first free TAP of the host. Two
 * allocations may pick the same ones; the unique indexes let only one in (ON CONFLICT DO
 * NOTHING), and the other tries again with what is left.
 */
export async function allocateNetworkLease(db: Db, request: NetworkLeaseRequest): Promise<NetworkLease> {
  validate(request);
  const { vmId, host, workerId, firstAddress, count, mac } = request;
  const reserved = arrayOf(request.reserved, 'inet');
  const taps = arrayOf(request.tapNames, 'text');
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const held = await getNetworkLease(db, vmId);
    if (held) return held;
    const inserted = await db.execute(sql`
      INSERT INTO network_leases (vm_id, host, worker_id, address, tap_name, mac)
      SELECT ${vmId}::uuid, ${host}::text, ${workerId}::text, a.address, t.tap_name, ${mac}::text
      FROM (
        SELECT ${firstAddress}::inet + n AS address
        FROM generate_series(0, ${count - 1}::int) AS n
        WHERE NOT (${firstAddress}::inet + n = ANY(${reserved}))
          AND NOT EXISTS (
            SELECT 1 FROM network_leases l WHERE l.host = ${host}::text AND l.address = ${firstAddress}::inet + n
          )
        ORDER BY n
        LIMIT 1
      ) AS a
      CROSS JOIN (
        SELECT c.tap_name
        FROM unnest(${taps}) WITH ORDINALITY AS c(tap_name, i)
        WHERE NOT EXISTS (
          SELECT 1 FROM network_leases l WHERE l.host = ${host}::text AND l.tap_name = c.tap_name
        )
        ORDER BY c.i
        LIMIT 1
      ) AS t
      ON CONFLICT DO NOTHING
      RETURNING vm_id
    `);
    if (rowsOf(inserted).length > 0) {
      const lease = await getNetworkLease(db, vmId);
      if (lease) return lease;
      continue;
    }
    await explainMiss(db, request, reserved, taps);
    // Lost a race for an address or a TAP: a short random pause spreads the next round out.
    await sleep(Math.floor(Math.random() * 5));
  }
  throw new AetherError(
    'ERR_NETWORK_EXHAUSTED',
    `no network lease for VM ${vmId} on ${host} after ${MAX_ATTEMPTS} attempts under contention`,
    { details: { host } },
  );
}

/** Throws ERR_NETWORK_EXHAUSTED when nothing is free (rather than a race lost); else returns. */
async function explainMiss(
  db: Db,
  request: NetworkLeaseRequest,
  reserved: ReturnType<typeof arrayOf>,
  taps: ReturnType<typeof arrayOf>,
): Promise<void> {
  const { host, firstAddress, count } = request;
  const free = await db.execute(sql`
    SELECT
      EXISTS (
        SELECT 1 FROM generate_series(0, ${count - 1}::int) AS n
        WHERE NOT (${firstAddress}::inet + n = ANY(${reserved}))
          AND NOT EXISTS (
            SELECT 1 FROM network_leases l WHERE l.host = ${host}::text AND l.address = ${firstAddress}::inet + n
          )
      ) AS address_free,
      EXISTS (
        SELECT 1 FROM unnest(${taps}) AS c(tap_name)
        WHERE NOT EXISTS (
          SELECT 1 FROM network_leases l WHERE l.host = ${host}::text AND l.tap_name = c.tap_name
        )
      ) AS tap_free
  `);
  const [row] = rowsOf<{ address_free: boolean; tap_free: boolean }>(free);
  if (row && !row.address_free) {
    throw new AetherError(
      'ERR_NETWORK_EXHAUSTED',
      `no free address on ${host}: all ${count} addresses from ${firstAddress} are leased`,
      { details: { host } },
    );
  }
  if (row && !row.tap_free) {
    throw new AetherError(
      'ERR_NETWORK_EXHAUSTED',
      `no free TAP device on ${host}: all ${request.tapNames.length} candidates are leased (grow the pool with \`aether network setup --tap-pool N\`)`,
      { details: { host } },
    );
  }
}
