/**
 * What a guest root filesystem is made of: a Debian suite, the debootstrap variant and the
 * packages to include, fetched from one mirror. A recipe is validated once, here, and kept in a
 * normal form (packages sorted and de-duplicated, mirror without a trailing slash) so that two
 * spellings of the same recipe get the same content address.
 */
import { AetherError } from '../core/errors.js';
import { DEFAULT_GUEST_PACKAGES } from '../core/image-defaults.js';

export { DEFAULT_GUEST_PACKAGES };

export const DEFAULT_GUEST_SUITE = 'bookworm';

/** Used when the host's apt configuration names no Debian mirror. */
export const DEFAULT_DEBIAN_MIRROR = 'http://deb.debian.org/debian';

/** debootstrap variants we build; `minbase` is the smallest that still has apt and dpkg. */
export type GuestVariant = 'minbase';

export interface GuestRecipe {
  readonly suite: string;
  readonly variant: GuestVariant;
  /** Sorted, without duplicates. */
  readonly packages: readonly string[];
  /** http(s) URL of a Debian archive, without a trailing slash. */
  readonly mirror: string;
}

export interface GuestRecipeOptions {
  suite?: string | undefined;
  variant?: string | undefined;
  packages?: readonly string[] | undefined;
  /** Required: the caller decides the default (the host's apt mirror or DEFAULT_DEBIAN_MIRROR). */
  mirror: string;
}

/** Debian Policy 5.6.1: lowercase letters, digits, `+`, `-`, `.`; at least two characters. */
const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;
/** A codename or alias such as `bookworm`, `trixie`, `stable`: it becomes a debootstrap argument. */
const SUITE_NAME = /^[a-z][a-z0-9]*$/;
const MAX_PACKAGES = 500;

function invalid(field: string, message: string): AetherError {
  return new AetherError('ERR_VALIDATION', message, { details: { field } });
}

function checkPackages(packages: readonly string[]): string[] {
  if (packages.length > MAX_PACKAGES)
    throw invalid('packages', `packages: at most ${MAX_PACKAGES} names, got ${packages.length}`);
  for (const name of packages) {
    if (typeof name !== 'string' || !PACKAGE_NAME.test(name)) {
      throw invalid(
        'packages',
        `packages: ${JSON.stringify(name)} is not a Debian package name ` +
          '(lowercase letters, digits, "+", "-" and "."; at least two characters, starting with a letter or digit)',
      );
    }
  }
  return [...new Set(packages)].sort();
}

function checkMirror(mirror: string): string {
  let url: URL;
  try {
    url = new URL(mirror);
  } catch {
    throw invalid(
      'mirror',
      `mirror: ${JSON.stringify(mirror)} is not a URL; expected e.g. ${DEFAULT_DEBIAN_MIRROR}`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw invalid('mirror', `mirror: ${JSON.stringify(mirror)} must be an http:// or https:// URL`);
  if (url.search || url.hash)
    throw invalid('mirror', `mirror: ${JSON.stringify(mirror)} must not have a query or fragment`);
  return url.href.replace(/\/+$/, '');
}

/** A validated recipe in normal form; throws ERR_VALIDATION naming the field otherwise. */
export function createGuestRecipe(options: GuestRecipeOptions): GuestRecipe {
  const suite = options.suite ?? DEFAULT_GUEST_SUITE;
  if (!SUITE_NAME.test(suite))
    throw invalid('suite', `suite: ${JSON.stringify(suite)} must be a plain lowercase word such as bookworm`);
  const variant = options.variant ?? 'minbase';
  if (variant !== 'minbase')
    throw invalid('variant', `variant: ${JSON.stringify(variant)} is not supported; only minbase is`);
  return Object.freeze({
    suite,
    variant,
    packages: Object.freeze(checkPackages(options.packages ?? DEFAULT_GUEST_PACKAGES)),
    mirror: checkMirror(options.mirror),
  });
}
