import { describe, expect, it } from 'vitest';
import { commandLine, shellRequest } from '../src/components/vm/command-line';
import { createVmInput, EMPTY_CREATE_VM_FIELDS } from '../src/components/vm/create-vm-input';
import { formatSeconds, parseDuration } from '../src/components/vm/duration-text';
import { apiPath, crumbsOf, entryNameProblem, joinPath, normalizeDir } from '../src/components/vm/file-paths';
import { canDo } from '../src/components/vm/vm-rules';

describe('the create form', () => {
  it('sends only what was filled in, with a made-up name when none was given', () => {
    const input = createVmInput(EMPTY_CREATE_VM_FIELDS, () => 'vm-1234abcd');
    expect(input).toEqual({ ok: true, body: { name: 'vm-1234abcd' } });
  });

  it('turns every field into its request field', () => {
    const input = createVmInput({
      name: 'dev',
      driver: 'docker',
      vcpus: '2',
      memoryMiB: '1024',
      tools: 'git, node=20 ,python',
      labels: 'team=web\n\n owner = ana \n',
      ttl: '1h30m',
      idleTimeout: '600',
      onExpiry: 'delete',
    });
    expect(input).toEqual({
      ok: true,
      body: {
        name: 'dev',
        driver: 'docker',
        vcpus: 2,
        memory_mib: 1024,
        additional_tools: ['git', 'node', 'python'],
        tool_versions: { node: '20' },
        labels: { team: 'web', owner: 'ana' },
        ttl_seconds: 5400,
        idle_timeout_seconds: 600,
        on_expiry: 'delete',
      },
    });
  });

  it('says which fields cannot be sent, and why', () => {
    const input = createVmInput({
      ...EMPTY_CREATE_VM_FIELDS,
      name: 'Bad Name',
      vcpus: 'two',
      labels: 'no-equals',
      tools: 'node=',
      ttl: 'soon',
    });
    expect(input.ok).toBe(false);
    if (input.ok) return;
    expect(Object.keys(input.problems).sort()).toEqual(['labels', 'name', 'tools', 'ttl', 'vcpus']);
    expect(input.problems.labels).toContain('no-equals');
  });
});

describe('durations', () => {
  it('reads seconds and unit durations, and refuses the rest', () => {
    expect(parseDuration('90')).toBe(90);
    expect(parseDuration('30m')).toBe(1800);
    expect(parseDuration('1d2h')).toBe(93_600);
    expect(parseDuration('1h 30m')).toBe(5400);
    expect(parseDuration('2 weeks')).toBeNull();
    expect(parseDuration('')).toBeNull();
  });

  it('writes seconds back in units', () => {
    expect(formatSeconds(5400)).toBe('1h30m');
    expect(formatSeconds(86_401)).toBe('1d1s');
    expect(formatSeconds(0)).toBe('0');
  });
});

describe('file browser paths', () => {
  it('keeps paths absolute or relative to the home', () => {
    expect(normalizeDir('/tmp//a/./b/')).toBe('/tmp/a/b');
    expect(normalizeDir('/')).toBe('/');
    expect(normalizeDir('src/')).toBe('src');
    expect(joinPath('', 'a.txt')).toBe('a.txt');
    expect(joinPath('/', 'etc')).toBe('/etc');
    expect(joinPath('/tmp', 'x')).toBe('/tmp/x');
    expect(apiPath('')).toBe('.');
  });

  it('leads back up by breadcrumbs', () => {
    expect(crumbsOf('')).toEqual([{ label: 'Home', path: '' }]);
    expect(crumbsOf('src/lib')).toEqual([
      { label: 'Home', path: '' },
      { label: 'src', path: 'src' },
      { label: 'lib', path: 'src/lib' },
    ]);
    expect(crumbsOf('/etc/apt')).toEqual([
      { label: '/', path: '/' },
      { label: 'etc', path: '/etc' },
      { label: 'apt', path: '/etc/apt' },
    ]);
  });

  it('refuses names that are not one entry', () => {
    expect(entryNameProblem('a/b')).not.toBeNull();
    expect(entryNameProblem('..')).not.toBeNull();
    expect(entryNameProblem(' ')).not.toBeNull();
    expect(entryNameProblem('<img src=x>')).toBeNull();
  });
});

describe('commands', () => {
  it('runs a typed line with sh -c and shows it back as typed', () => {
    const request = shellRequest('echo hi | wc -c');
    expect(request).toEqual({ command: 'sh', args: ['-c', 'echo hi | wc -c'] });
    expect(commandLine({ command: request.command, args: request.args ?? [] })).toBe('echo hi | wc -c');
    expect(commandLine({ command: 'ls', args: ['-la', 'my dir', "it's"] })).toBe(
      `ls -la 'my dir' 'it'\\''s'`,
    );
  });
});

describe('VM actions', () => {
  it('are enabled only in the statuses the API accepts them in', () => {
    expect(canDo('stop', 'running')).toBe(true);
    expect(canDo('stop', 'paused')).toBe(true);
    expect(canDo('stop', 'stopped')).toBe(false);
    expect(canDo('start', 'stopped')).toBe(true);
    expect(canDo('resume', 'running')).toBe(false);
    expect(canDo('snapshot', 'paused')).toBe(false);
    expect(canDo('delete', 'failed')).toBe(true);
    expect(canDo('delete', 'stopping')).toBe(false);
    expect(canDo('delete', 'deleted')).toBe(false);
  });
});
