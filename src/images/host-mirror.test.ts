import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { debianMirrorFromSources, readHostDebianMirror } from './host-mirror.js';

// As shipped in the debian:bookworm image (and on this project's build machines).
const DEBIAN_SOURCES = `Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
# http://snapshot.debian.org/archive/debian-security/20250520T000000Z
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`;

describe('host Debian mirror', () => {
  it('reads the main archive from a deb822 .sources file, not the security one', () => {
    expect(debianMirrorFromSources('debian.sources', DEBIAN_SOURCES)).toBe('http://deb.debian.org/debian');
  });

  it('prefers the first main entry and skips disabled paragraphs and deb-src', () => {
    const text = `Types: deb
URIs: http://disabled.example/debian
Suites: bookworm
Components: main
Enabled: no

Types: deb-src
URIs: http://src.example/debian
Suites: bookworm
Components: main

Types: deb
URIs: https://mirror.example/debian/
Suites: bookworm
Components: main contrib
`;
    expect(debianMirrorFromSources('debian.sources', text)).toBe('https://mirror.example/debian');
  });

  it('reads a one-line sources.list, with options and comments', () => {
    const text = `# deb http://commented.example/debian bookworm main
deb-src http://src.example/debian bookworm main
deb http://security.debian.org/debian-security bookworm-security main
deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://ftp.de.debian.org/debian bookworm main contrib
`;
    expect(debianMirrorFromSources('sources.list', text)).toBe('http://ftp.de.debian.org/debian');
  });

  it('ignores repositories that are not Debian main: Ubuntu, third parties, updates-only', () => {
    const text = `deb http://archive.ubuntu.com/ubuntu jammy main restricted
deb https://deb.nodesource.com/node_20.x nodistro main
deb http://deb.debian.org/debian bookworm-updates main
deb http://deb.debian.org/debian bookworm contrib
`;
    expect(debianMirrorFromSources('sources.list', text)).toBeNull();
  });

  const dir = mkdtempSync(path.join(tmpdir(), 'aether-mirror-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('falls through missing and empty files to the next one, and to null', () => {
    const empty = path.join(dir, 'empty.sources');
    const list = path.join(dir, 'sources.list');
    writeFileSync(empty, '');
    writeFileSync(list, 'deb http://local.mirror/debian bookworm main\n');
    expect(readHostDebianMirror([path.join(dir, 'missing.sources'), empty, list])).toBe(
      'http://local.mirror/debian',
    );
    expect(readHostDebianMirror([path.join(dir, 'missing.sources'), empty])).toBeNull();
  });
});
