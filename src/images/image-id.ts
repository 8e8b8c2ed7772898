/**
 * The content address of a guest image: sha256 over the recipe in canonical JSON plus the
 * builder's format version. The same recipe always maps to the same id, so a built image is a
 * cache entry; bump BUILDER_VERSION whenever the builder changes what it makes from a recipe
 * (other steps, other tar options, other trimming), so old entries stop matching.
 */
import { createHash } from 'node:crypto';
import type { GuestRecipe } from './recipe.js';

export const BUILDER_VERSION = 1;

/** Hex digits of the id kept in the short form, which is also the Docker tag. */
const SHORT_LENGTH = 12;

export interface GuestImageId {
  /** `sha256:<64 hex>` */
  id: string;
  /** The 64 hex digits: the cache directory's name. */
  hex: string;
  /** The first 12 hex digits: the Docker tag and what people type. */
  short: string;
}

/** The recipe as one canonical string: fixed key order, normalised values, no whitespace. */
export function canonicalRecipeJson(recipe: GuestRecipe, builderVersion = BUILDER_VERSION): string {
  return JSON.stringify({
    builderVersion,
    mirror: recipe.mirror,
    packages: [...new Set(recipe.packages)].sort(),
    suite: recipe.suite,
    variant: recipe.variant,
  });
}

export function guestImageId(recipe: GuestRecipe, builderVersion = BUILDER_VERSION): GuestImageId {
  const hex = createHash('sha256').update(canonicalRecipeJson(recipe, builderVersion)).digest('hex');
  return { id: `sha256:${hex}`, hex, short: shortImageId(hex) };
}

/** The short form of `sha256:<hex>` or of bare hex. */
export function shortImageId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, SHORT_LENGTH);
}

/** Bump whenever `aether image build --vm` changes what it makes from the same inputs. */
export const VM_BUILDER_VERSION = 1;

/** Everything a microVM image is made from. */
export interface VmImageInputs {
  /** The content address of the Debian rootfs it is made from (which covers the recipe). */
  rootfsImageId: string;
  kernel: { package: string; version: string };
  busybox: { package: string; version: string };
  agentSha256: string;
  /** sha256 of the init scripts' text. */
  scriptsSha256: string;
  /** The modules asked for (their dependencies follow from the kernel). */
  modules: readonly string[];
  diskSizeMiB: number;
}

/** The content address of a microVM image: sha256 over its inputs in canonical JSON. */
export function vmImageId(inputs: VmImageInputs, builderVersion = VM_BUILDER_VERSION): GuestImageId {
  const canonical = JSON.stringify({
    agentSha256: inputs.agentSha256,
    builderVersion,
    busybox: [inputs.busybox.package, inputs.busybox.version],
    diskSizeMiB: inputs.diskSizeMiB,
    kernel: [inputs.kernel.package, inputs.kernel.version],
    kind: 'vm',
    modules: [...inputs.modules],
    rootfsImageId: inputs.rootfsImageId,
    scriptsSha256: inputs.scriptsSha256,
  });
  const hex = createHash('sha256').update(canonical).digest('hex');
  return { id: `sha256:${hex}`, hex, short: shortImageId(hex) };
}
