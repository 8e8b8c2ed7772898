import { describe, expect, it } from 'vitest';
import { isAetherError } from '../core/errors.js';
import { canonicalRecipeJson, guestImageId, shortImageId } from './image-id.js';
import { createGuestRecipe, DEFAULT_GUEST_PACKAGES, type GuestRecipeOptions } from './recipe.js';

const MIRROR = 'http://deb.debian.org/debian';

function rejection(options: GuestRecipeOptions): { code: string; message: string; field: unknown } {
  try {
    createGuestRecipe(options);
  } catch (error) {
    if (!isAetherError(error)) throw error;
    return { code: error.code, message: error.message, field: error.details?.field };
  }
  throw new Error(`accepted ${JSON.stringify(options)}`);
}

describe('guest recipe', () => {
  it('has the documented defaults, packages sorted', () => {
    const recipe = createGuestRecipe({ mirror: MIRROR });
    expect(recipe).toEqual({
      suite: 'bookworm',
      variant: 'minbase',
      packages: [...DEFAULT_GUEST_PACKAGES].sort(),
      mirror: MIRROR,
    });
    expect(recipe.packages).toEqual([
      'bash',
      'ca-certificates',
      'coreutils',
      'git',
      'iproute2',
      'nodejs',
      'procps',
      'socat',
      'tini',
    ]);
  });

  it('accepts Debian package names with + . - and digits', () => {
    const packages = ['libstdc++6', 'python3.11', 'g++', 'e2fsprogs', '0ad'];
    expect(createGuestRecipe({ mirror: MIRROR, packages }).packages).toEqual([...packages].sort());
  });

  it.each([
    ['an upper-case name', { packages: ['Nodejs'] }, 'packages', /"Nodejs" is not a Debian package name/],
    ['a one-letter name', { packages: ['a'] }, 'packages', /"a" is not a Debian package name/],
    ['an option-looking name', { packages: ['--foo'] }, 'packages', /"--foo"/],
    ['a comma inside a name', { packages: ['git,curl'] }, 'packages', /"git,curl"/],
    ['shell syntax', { packages: ['git;rm'] }, 'packages', /"git;rm"/],
    ['a suite with a path', { suite: '../etc' }, 'suite', /suite: "..\/etc" must be a plain lowercase word/],
    ['a suite with a space', { suite: 'bookworm main' }, 'suite', /plain lowercase word/],
    ['another variant', { variant: 'buildd' }, 'variant', /only minbase/],
  ])('rejects %s with ERR_VALIDATION naming the field', (_, options, field, message) => {
    const error = rejection({ mirror: MIRROR, ...options });
    expect(error.code).toBe('ERR_VALIDATION');
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });

  it.each([
    ['not a URL', 'deb.debian.org/debian', /is not a URL/],
    ['ftp', 'ftp://deb.debian.org/debian', /must be an http:\/\/ or https:\/\/ URL/],
    ['file', 'file:///srv/mirror', /http:\/\/ or https:\/\//],
    ['a query', 'http://deb.debian.org/debian?x=1', /query or fragment/],
  ])('rejects a mirror that is %s', (_, mirror, message) => {
    const error = rejection({ mirror });
    expect(error).toMatchObject({ code: 'ERR_VALIDATION', field: 'mirror' });
    expect(error.message).toMatch(message);
  });

  it('keeps the mirror without a trailing slash', () => {
    expect(createGuestRecipe({ mirror: 'https://mirror.example/debian/' }).mirror).toBe(
      'https://mirror.example/debian',
    );
  });
});

describe('guest image id', () => {
  const base = createGuestRecipe({ mirror: MIRROR, packages: ['nodejs', 'git', 'bash'] });

  it('is sha256:<64 hex> with a 12-digit short form', () => {
    const { id, hex, short } = guestImageId(base);
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(hex).toBe(id.slice('sha256:'.length));
    expect(short).toBe(hex.slice(0, 12));
    expect(shortImageId(id)).toBe(short);
  });

  it('ignores package order, duplicates and a trailing slash on the mirror', () => {
    const same = createGuestRecipe({
      mirror: `${MIRROR}/`,
      packages: ['git', 'bash', 'nodejs', 'git', 'bash'],
    });
    expect(guestImageId(same)).toEqual(guestImageId(base));
    expect(canonicalRecipeJson(same)).toBe(canonicalRecipeJson(base));
  });

  it('changes when any field or the builder version changes', () => {
    const ids = [
      guestImageId(base).id,
      guestImageId(createGuestRecipe({ mirror: MIRROR, packages: ['nodejs', 'git'] })).id,
      guestImageId(createGuestRecipe({ mirror: MIRROR, packages: ['nodejs', 'git', 'bash', 'curl'] })).id,
      guestImageId(
        createGuestRecipe({ mirror: MIRROR, packages: ['nodejs', 'git', 'bash'], suite: 'trixie' }),
      ).id,
      guestImageId(
        createGuestRecipe({ mirror: 'http://mirror.example/debian', packages: ['nodejs', 'git', 'bash'] }),
      ).id,
      guestImageId(base, 999).id,
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('is stable: the canonical form is fixed JSON', () => {
    expect(canonicalRecipeJson(base, 1)).toBe(
      '{"builderVersion":1,"mirror":"http://deb.debian.org/debian","packages":["bash","git","nodejs"],"suite":"bookworm","variant":"minbase"}',
    );
  });
});
