import type { FsEntry } from '@aetherium/sdk';

const TYPE_LETTER: Record<FsEntry['type'], string> = {
  file: '-',
  directory: 'd',
  symlink: 'l',
  other: '?',
};

/** `drwxr-xr-x`, as `ls -l` shows an entry's type and permission bits (setuid, setgid, sticky too). */
export function formatMode(type: FsEntry['type'], mode: number): string {
  const triple = (shift: number, special: boolean, specialLetter: string) => {
    const bits = (mode >> shift) & 0o7;
    const execute = bits & 1;
    const x = special ? (execute ? specialLetter : specialLetter.toUpperCase()) : execute ? 'x' : '-';
    return `${bits & 4 ? 'r' : '-'}${bits & 2 ? 'w' : '-'}${x}`;
  };
  return (
    TYPE_LETTER[type] +
    triple(6, (mode & 0o4000) !== 0, 's') +
    triple(3, (mode & 0o2000) !== 0, 's') +
    triple(0, (mode & 0o1000) !== 0, 't')
  );
}
