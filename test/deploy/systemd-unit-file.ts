/**
 * systemd unit files as data: sections of settings, each with the comment lines just above it,
 * so a test can ask both what a setting is and whether a loosened one says why.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface UnitSetting {
  section: string;
  key: string;
  value: string;
  /** The comment block right above the setting (empty when none). */
  comment: string;
}

export function parseUnit(text: string): UnitSetting[] {
  const settings: UnitSetting[] = [];
  let section = '';
  let comment: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') {
      comment = [];
    } else if (line.startsWith('#') || line.startsWith(';')) {
      comment.push(line.replace(/^[#;]\s?/, ''));
    } else if (/^\[.+\]$/.test(line)) {
      section = line.slice(1, -1);
      comment = [];
    } else {
      const split = line.indexOf('=');
      settings.push({
        section,
        key: line.slice(0, split),
        value: line.slice(split + 1),
        comment: comment.join(' '),
      });
    }
  }
  return settings;
}

/** The last value of `key` (a later assignment wins, as in systemd); undefined when unset. */
export function settingValue(settings: UnitSetting[], key: string): string | undefined {
  return settings.filter((setting) => setting.key === key).at(-1)?.value;
}

export function hasSystemdAnalyze(): boolean {
  return spawnSync('systemd-analyze', ['--version'], { stdio: 'ignore' }).status === 0;
}

export interface VerifyResult {
  status: number | null;
  /** Everything `systemd-analyze verify` printed: a clean unit prints nothing. */
  output: string;
}

/** A drop-in to install beside a unit: its file name and text. */
export interface DropIn {
  name: string;
  text: string;
}

/**
 * `systemd-analyze verify` on copies of the units in a scratch directory, with their drop-ins
 * (`dropIns`: unit name → drop-ins) beside them, since verify also checks that every ExecStart
 * binary exists: a binary missing here is pointed at the node running this test.
 */
export function verifyUnits(
  files: string[],
  dropIns: Record<string, DropIn[]> = {},
): Map<string, VerifyResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'aether-units-'));
  const results = new Map<string, VerifyResult>();
  try {
    for (const file of files) {
      const text = readFileSync(file, 'utf8').replace(/^(Exec\w+=)\/usr\/bin\/node /gm, `$1${nodeBinary()} `);
      writeFileSync(path.join(dir, path.basename(file)), text);
    }
    for (const [unit, confs] of Object.entries(dropIns)) {
      mkdirSync(path.join(dir, `${unit}.d`));
      for (const conf of confs) writeFileSync(path.join(dir, `${unit}.d`, conf.name), conf.text);
    }
    for (const file of files) {
      const unit = path.join(dir, path.basename(file));
      const run = spawnSync('systemd-analyze', ['verify', '--man=no', unit], { encoding: 'utf8' });
      results.set(path.basename(file), { status: run.status, output: `${run.stdout}${run.stderr}`.trim() });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

/** /usr/bin/node where it exists (the units name it), else the node running the test. */
function nodeBinary(): string {
  try {
    execFileSync('/usr/bin/node', ['--version'], { stdio: 'ignore' });
    return '/usr/bin/node';
  } catch {
    return process.execPath;
  }
}
