import { describe, expect, it } from 'vitest';
import { type BuildProgress, createDebootstrapProgressParser, formatProgress } from './build-progress.js';

// Lines from a real run of `debootstrap --variant=minbase --include=nodejs,git,... bookworm`,
// in order, trailing spaces included (debootstrap prints "Retrieving InRelease ").
const SAMPLE = `I: Target architecture can be executed
I: Retrieving InRelease 
I: Checking Release signature
I: Valid Release signature (key id 4D64FEC119C2029067D6E791F8D2585B8783D481)
I: Retrieving Packages 
I: Validating Packages 
I: Resolving dependencies of required packages...
I: Resolving dependencies of base packages...
I: Checking component main on http://deb.debian.org/debian...
I: Retrieving adduser 3.134
I: Validating adduser 3.134
I: Retrieving apt 2.6.1
I: Validating apt 2.6.1
I: Retrieving libc-bin 2.36-9+deb12u14
I: Retrieving git 1:2.39.5-0+deb12u3
I: Chosen extractor for .deb packages: dpkg-deb
I: Extracting adduser...
I: Extracting apt...
I: Installing core packages...
I: Unpacking required packages...
I: Unpacking adduser...
I: Unpacking libbpf1:amd64...
I: Configuring libc-bin...
I: Unpacking the base system...
I: Unpacking git...
I: Configuring the base system...
I: Configuring libc-bin...
I: Configuring nodejs...
W: Failure trying to run: chroot "/x" mount -t proc proc /proc
I: Base system installed successfully.`;

function parseAll(text: string): BuildProgress[] {
  const parse = createDebootstrapProgressParser();
  return text
    .split('\n')
    .map(parse)
    .filter((event): event is BuildProgress => event !== null);
}

describe('debootstrap progress', () => {
  const events = parseAll(SAMPLE);

  it('turns package lines into numbered events per phase', () => {
    const brief = events.map((e) => [e.phase, e.package ?? null, e.count]);
    expect(brief).toEqual([
      ['index', 'InRelease', 0],
      ['index', 'Packages', 0],
      ['index', 'Packages', 0],
      ['resolve', null, 0],
      ['resolve', null, 0],
      ['retrieve', 'adduser', 1],
      ['validate', 'adduser', 1],
      ['retrieve', 'apt', 2],
      ['validate', 'apt', 2],
      ['retrieve', 'libc-bin', 3],
      ['retrieve', 'git', 4],
      ['extract', 'adduser', 1],
      ['extract', 'apt', 2],
      ['install', null, 0],
      ['unpack', null, 0],
      ['unpack', 'adduser', 1],
      ['unpack', 'libbpf1', 2],
      ['configure', 'libc-bin', 1],
      ['unpack', null, 0],
      ['unpack', 'git', 3],
      ['configure', null, 0],
      // libc-bin is configured twice; it is counted once.
      ['configure', 'libc-bin', 1],
      ['configure', 'nodejs', 2],
      ['installed', null, 0],
    ]);
  });

  it('keeps versions, including epochs, and the message without "I: "', () => {
    expect(events.find((e) => e.package === 'git')).toEqual({
      phase: 'retrieve',
      package: 'git',
      version: '1:2.39.5-0+deb12u3',
      count: 4,
      message: 'Retrieving git 1:2.39.5-0+deb12u3',
    });
    expect(events.at(-1)).toEqual({
      phase: 'installed',
      count: 0,
      message: 'Base system installed successfully.',
    });
  });

  it('ignores lines that are not progress: signatures, warnings, errors, blank', () => {
    const parse = createDebootstrapProgressParser();
    for (const line of [
      'I: Checking Release signature',
      'I: Chosen extractor for .deb packages: dpkg-deb',
      'W: Failure trying to run: chroot',
      "E: Couldn't find these debs: nosuchpkg",
      '',
      'dpkg: warning: something',
    ]) {
      expect(parse(line)).toBeNull();
    }
  });

  it('formats an event as one short line', () => {
    expect(events.map(formatProgress).slice(5, 8)).toEqual([
      'retrieve 1 adduser 3.134',
      'validate 1 adduser 3.134',
      'retrieve 2 apt 2.6.1',
    ]);
    expect(formatProgress(events.find((e) => e.phase === 'install')!)).toBe('Installing core packages...');
  });
});
