/**
 * Who is asking, and what they may see. Every VM, task, execution and job belongs to the project
 * that created it; callers see only their own project's resources, admins see every project.
 */

/** Project names appear in keys, labels and URLs: short, lowercase, no separators to confuse. */
export const PROJECT_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** The project of the local admin key and of records written before tenancy existed. */
export const DEFAULT_PROJECT = 'default';

export interface Principal {
  /** The credential's id: an API key id, or `jwt:<sub>`. Shown in logs, never a secret. */
  id: string;
  project: string;
  /** Sees and manages every project, and the platform (keys, workers, metrics). */
  admin: boolean;
  via: 'api_key' | 'jwt';
}

/**
 * A read or write's reach: `project` is where new resources go and what is visible; `all`
 * widens visibility to every project (admins, and the platform's own housekeeping).
 */
export interface Access {
  project: string;
  all: boolean;
}

export function accessOf(principal: Principal): Access {
  return { project: principal.project, all: principal.admin };
}

/** For the platform itself (tests, reconcilers, integrations acting for the operator). */
export const SYSTEM_ACCESS: Access = Object.freeze({ project: DEFAULT_PROJECT, all: true });

/** Whether a resource of `project` is visible through `access`. Invisible reads answer 404. */
export function canSee(access: Access, project: string): boolean {
  return access.all || access.project === project;
}

/** Per-project limits on what may be live at once. */
export interface Quota {
  vms: number;
  vcpus: number;
  memoryMiB: number;
}

/** Live usage counted against a Quota: VMs in any status but deleted, failed or lost. */
export type QuotaUsage = Quota;
