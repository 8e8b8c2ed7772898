/**
 * The Debian mirror the host's apt already uses, so a build fetches from the same place as
 * `apt-get` does (a local mirror, a proxy, a snapshot) instead of going to deb.debian.org.
 * Only an entry that is plainly Debian's main archive counts: a `deb` line with the `main`
 * component, an http(s) URI whose path ends in `/debian` (which rules out debian-security,
 * Ubuntu and third-party repositories), and a suite with no `-updates`-style suffix.
 */
import { readFileSync } from 'node:fs';

/** Where apt keeps its sources on Debian: the deb822 file (bookworm and later) and the classic list. */
export const HOST_APT_SOURCES: readonly string[] = [
  '/etc/apt/sources.list.d/debian.sources',
  '/etc/apt/sources.list',
];

interface SourceEntry {
  types: string[];
  uris: string[];
  suites: string[];
  components: string[];
}

function isDebianMain(entry: SourceEntry): boolean {
  return (
    entry.types.includes('deb') &&
    entry.components.includes('main') &&
    entry.suites.some((suite) => !suite.includes('-') && !suite.includes('/'))
  );
}

function debianUri(uri: string): string | null {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  const path = url.pathname.replace(/\/+$/, '');
  return path.endsWith('/debian') ? `${url.origin}${path}` : null;
}

function firstDebianMirror(entries: SourceEntry[]): string | null {
  for (const entry of entries) {
    if (!isDebianMain(entry)) continue;
    for (const uri of entry.uris) {
      const mirror = debianUri(uri);
      if (mirror) return mirror;
    }
  }
  return null;
}

/** deb822 `.sources` text: paragraphs of `Key: value` fields; `Enabled: no` ones are skipped. */
export function parseDeb822Sources(text: string): SourceEntry[] {
  const entries: SourceEntry[] = [];
  for (const paragraph of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let last = '';
    for (const line of paragraph.split('\n')) {
      if (line.startsWith('#')) continue;
      if (/^\s/.test(line) && last) {
        fields.set(last, `${fields.get(last)} ${line.trim()}`);
        continue;
      }
      const match = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (!match) continue;
      last = match[1]!.toLowerCase();
      fields.set(last, match[2]!.trim());
    }
    if (fields.get('enabled')?.toLowerCase() === 'no') continue;
    const words = (key: string) => (fields.get(key) ?? '').split(/\s+/).filter(Boolean);
    entries.push({
      types: words('types'),
      uris: words('uris'),
      suites: words('suites'),
      components: words('components'),
    });
  }
  return entries;
}

/** One-line `sources.list` text: `deb [options] URI suite component...`. */
export function parseOneLineSources(text: string): SourceEntry[] {
  const entries: SourceEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw
      .replace(/#.*/, '')
      .replace(/\[[^\]]*\]/, ' ')
      .trim();
    const [type, uri, suite, ...components] = line.split(/\s+/);
    if (!type || !uri || !suite) continue;
    entries.push({ types: [type], uris: [uri], suites: [suite], components });
  }
  return entries;
}

/** The mirror named in one sources file's text, or null; `file` decides the format. */
export function debianMirrorFromSources(file: string, text: string): string | null {
  return firstDebianMirror(file.endsWith('.sources') ? parseDeb822Sources(text) : parseOneLineSources(text));
}

/** The host's Debian mirror from the first of `files` that names one, or null. */
export function readHostDebianMirror(files: readonly string[] = HOST_APT_SOURCES): string | null {
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const mirror = debianMirrorFromSources(file, text);
    if (mirror) return mirror;
  }
  return null;
}
