/** The lines of /proc/self/mountinfo the limits need: where each mount is, and what it is. */

export interface MountLine {
  mountPoint: string;
  fsType: string;
  superOptions: string[];
}

/** Parses mountinfo text (fields before ` - `, then fs type, source, super options). */
export function mountLines(mountinfo: string): MountLine[] {
  return mountinfo
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [before, after = ''] = line.split(' - ');
      const fields = before!.split(' ');
      const [fsType = '', , superOptions = ''] = after.split(' ');
      return { mountPoint: unescapeMount(fields[4] ?? ''), fsType, superOptions: superOptions.split(',') };
    });
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescapeMount(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}
