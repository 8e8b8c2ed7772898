import { describe, expect, it } from 'vitest';
import { planImageTools } from '../core/tool-plan.js';
import { parseDpkgStatus, toolImageId, upstreamVersion } from './tool-layer.js';

describe('baking tools', () => {
  it.each([
    ['1:2.39.5-0+deb12u2', '2.39.5'],
    ['2:1.19~1', '1.19'],
    ['3.11.2-1+b1', '3.11.2'],
    ['1.63.0+dfsg1-2', '1.63.0'],
    ['18.19.0+dfsg-6~deb12u2', '18.19.0'],
    ['1.6-2.1+deb12u3', '1.6'],
  ])('reads the upstream version of Debian version %s', (debian, upstream) => {
    expect(upstreamVersion(debian)).toBe(upstream);
  });

  it('reads installed packages from a dpkg status file', () => {
    const status = [
      'Package: git\nStatus: install ok installed\nVersion: 1:2.39.5-0+deb12u2\n',
      'Package: gone\nStatus: deinstall ok config-files\nVersion: 1.0-1\n',
      'Package: jq\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.6-2.1+deb12u3\n',
    ].join('\n');
    expect(parseDpkgStatus(status)).toEqual(
      new Map([
        ['git', '1:2.39.5-0+deb12u2'],
        ['jq', '1.6-2.1+deb12u3'],
      ]),
    );
  });

  it('addresses a tools image by its base and what it bakes, in any order', () => {
    const req = (name: string, version: string | null = null) => ({ name, version, required: true });
    const a = toolImageId('sha256:base', planImageTools([req('node', '20'), req('typescript')]));
    const b = toolImageId('sha256:base', planImageTools([req('typescript'), req('node', '20')]));
    expect(a).toEqual(b);
    expect(a.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(toolImageId('sha256:other', planImageTools([req('node', '20'), req('typescript')])).id).not.toBe(
      a.id,
    );
    expect(toolImageId('sha256:base', planImageTools([req('node', '22'), req('typescript')])).id).not.toBe(
      a.id,
    );
  });
});
