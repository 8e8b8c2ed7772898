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
