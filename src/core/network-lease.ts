/**
 * A VM's place on its host's bridge, as the store keeps it: one lease per VM, and on one host no
 * two leases share an address or a TAP device, whichever workers hold them.
 */
export interface NetworkLease {
  vmId: string;
  /** The host whose bridge the address belongs to (the worker's registered host). */
  host: string;
  workerId: string;
  /** IPv4 address, dotted (`172.16.0.2`). */
  address: string;
  tapName: string;
  mac: string;
  allocatedAt: Date;
}

/** What `Store.allocateNetworkLease` chooses from. */
export interface NetworkLeaseRequest {
  vmId: string;
  workerId: string;
  host: string;
  /** The addresses to choose from: `count` consecutive IPv4 addresses starting here. */
  firstAddress: string;
  count: number;
  /** Addresses in that range never handed out (the gateway's). */
  reserved: readonly string[];
  /** TAP devices to choose from, most preferred first; the first no lease on the host holds is taken. */
  tapNames: readonly string[];
  mac: string;
}

export interface NetworkLeaseFilter {
  host: string;
  /** Only this worker's leases. */
  workerId?: string;
}
