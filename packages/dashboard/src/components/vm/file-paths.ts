// Paths of the file browser. A path is absolute (`/etc`) or relative to the VM's home (`src`,
// and `` for the home itself), as the files API resolves them inside the VM.

export interface Crumb {
  label: string;
  path: string;
}

/** Trailing and doubled slashes dropped; `.` segments too. */
export function normalizeDir(path: string): string {
  const absolute = path.startsWith('/');
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  return absolute ? `/${parts.join('/')}` : parts.join('/');
}

export function joinPath(dir: string, name: string): string {
  if (dir === '') return name;
  return dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
}

/** What the API is asked to list for `dir`: the home is `.`. */
export function apiPath(dir: string): string {
  return dir === '' ? '.' : dir;
}

/** The way from the root (or the home) down to `dir`, each step a place to go back to. */
export function crumbsOf(dir: string): Crumb[] {
  const absolute = dir.startsWith('/');
  const crumbs: Crumb[] = [absolute ? { label: '/', path: '/' } : { label: 'Home', path: '' }];
  let path = '';
  for (const part of dir.split('/').filter(Boolean)) {
    path = path === '' && !absolute ? part : `${path}/${part}`;
    crumbs.push({ label: part, path });
  }
  return crumbs;
}

/** Why `name` cannot be a new entry's name in a directory, or null. */
export function entryNameProblem(name: string): string | null {
  if (name.trim() === '') return 'type a name';
  if (name.includes('/')) return 'a name cannot contain /';
  if (name === '.' || name === '..') return 'choose another name';
  if (name.includes('\0')) return 'a name cannot contain NUL';
  return null;
}
