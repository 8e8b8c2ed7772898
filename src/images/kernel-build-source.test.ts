import { describe, expect, it } from 'vitest';
import { isAetherError } from '../core/errors.js';
import { parseSourceDependency, resolveKernelSource, sourceTarballPath } from './kernel-build-source.js';

const DEPENDS = 'linux-source\n  Depends: linux-source-6.1\n';
const POLICY = [
  'linux-source-6.1:',
  '  Installed: (none)',
  '  Candidate: 6.1.192-3',
  '  Version table:',
  '     6.1.192-3 500',
  '        500 http://deb.debian.org/debian-security bookworm-security/main amd64 Packages',
].join('\n');

/** apt-cache's answers as Debian bookworm prints them, keyed by the first argument. */
function aptCache(answers: Readonly<Record<string, string | undefined>>) {
  const asked: string[][] = [];
  const query = async (args: string[]) => {
    asked.push(args);
    return answers[args[0]!] ?? '';
  };
  return { query, asked };
}

describe('kernel source package', () => {
  it('reads the versioned package the metapackage depends on', () => {
    expect(parseSourceDependency(DEPENDS)).toBe('linux-source-6.1');
    expect(parseSourceDependency('linux-source\n')).toBeNull();
  });

  it('asks apt for the package and its candidate version', async () => {
    const apt = aptCache({ depends: DEPENDS, policy: POLICY });
    expect(await resolveKernelSource(apt.query)).toEqual({
      package: 'linux-source-6.1',
      version: '6.1.192-3',
    });
    expect(apt.asked).toEqual([
      ['depends', 'linux-source'],
      ['policy', 'linux-source-6.1'],
    ]);
    expect(sourceTarballPath({ package: 'linux-source-6.1', version: '6.1.192-3' })).toBe(
      'usr/src/linux-source-6.1.tar.xz',
    );
  });

  it('says to run apt-get update when apt knows no source or no version', async () => {
    for (const answers of [
      { depends: 'linux-source\n' },
      { depends: DEPENDS, policy: 'linux-source-6.1:\n  Candidate: (none)\n' },
    ]) {
      const error = await resolveKernelSource(aptCache(answers).query).catch((caught: unknown) => caught);
      if (!isAetherError(error)) throw new Error('expected an AetherError');
      expect(error.code).toBe('ERR_IMAGE_BUILD_FAILED');
      expect(error.message).toContain('apt-get update');
    }
  });
});
