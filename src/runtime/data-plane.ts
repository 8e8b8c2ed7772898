/**
 * A worker's data-plane listener, opened only when the node has a cluster secret: without one no
 * gateway in another process could be let in, and `aether up` needs none (its gateway calls the
 * worker in process).
 */
import type { DataPlane } from '../core/data-plane.js';
import type { Logger } from '../core/logger.js';
import { listenDataPlane } from '../worker/data-plane/listener.js';
import type { AetherConfig } from './config.js';

export interface OpenDataPlane {
  /** Where it listens. */
  url: string;
  /** Where gateways are told to reach it (AETHER_DATA_PLANE_ADDRESS, else `url`). */
  advertised: string;
  close(): Promise<void>;
}

export async function openDataPlaneListener(
  config: Pick<AetherConfig, 'clusterSecret' | 'dataPlaneListen' | 'dataPlaneAddress'>,
  plane: DataPlane,
  logger: Logger,
): Promise<OpenDataPlane | null> {
  if (!config.clusterSecret) return null;
  const split = config.dataPlaneListen.lastIndexOf(':');
  const host = config.dataPlaneListen.slice(0, split).replace(/^\[(.*)\]$/, '$1');
  const port = Number(config.dataPlaneListen.slice(split + 1));
  const listener = await listenDataPlane(
    plane,
    { host, port, secret: config.clusterSecret },
    logger.child({ component: 'data-plane' }),
  );
  return {
    url: listener.url,
    advertised: config.dataPlaneAddress.replace(/\/$/, '') || listener.url,
    close: () => listener.close(),
  };
}
