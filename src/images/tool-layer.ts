/**
 * Bakes tools into a guest image (`aether image build --tools`). Debian-sourced tools are
 * packages of the debootstrap recipe (so they change the rootfs' content address); this module
 * adds the rest as a layer over that rootfs: the host's npm installs the npm-sourced tools into
 * `/opt/aether/tools` of a staging tree, their commands are linked from `/usr/local/bin`, and
 * the staging tree is appended to a copy of the rootfs tarball. The result is another cache
 * entry, addressed by the base image and the npm specs, whose manifest lists every baked tool
 * with its version (Debian ones read from the rootfs' dpkg database).
 *
 * Only catalog packages are installed (a request names tools, never packages), as argv arrays.
 * npm runs their install scripts on the host, as for any `npm install`: `bun` and the Claude
 * Code CLI copy their native binary from a platform package of the same registry.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, stat, symlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { AetherError } from '../core/errors.js';
import type { ImageToolPlan, SourceAttempt } from '../core/tool-plan.js';
import { versionSatisfies } from '../core/tools.js';
import { removeBuildDir } from './build-dir.js';
import type { GuestImageBuild } from './build-image.js';
import { stepFailed } from './build-image.js';
import type { ProgressListener } from './build-progress.js';
import { type CommandRunner, createSpawnRunner } from './command-runner.js';
import {
  type BakedTool,
  type CachedGuestImage,
  commitBuildDir,
  createBuildDir,
  findCachedImage,
  type GuestImageManifest,
  ROOTFS_FILE,
  writeManifest,
} from './image-cache.js';
import { BUILDER_VERSION, shortImageId } from './image-id.js';

const execFileAsync = promisify(execFile);

/** Where npm-sourced tools live in the guest; their commands are linked from /usr/local/bin. */
export const GUEST_TOOLS_PREFIX = '/opt/aether/tools';

export interface ToolLayerOptions {
  dataDir: string;
  /** PATH finds `npm` and `tar`. */
  env: NodeJS.ProcessEnv;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  runner?: CommandRunner;
}

/** The content address of a tools image: its base rootfs and the npm specs installed over it. */
export function toolImageId(baseId: string, plan: Pick<ImageToolPlan, 'npm' | 'debian'>) {
  const canonical = JSON.stringify({
    baseId,
    builderVersion: BUILDER_VERSION,
    debian: plan.debian.map((d) => [d.request.name, d.request.version]).sort(),
    kind: 'tools',
    npm: plan.npm.map((n) => n.spec).sort(),
  });
  const hex = createHash('sha256').update(canonical).digest('hex');
  return { id: `sha256:${hex}`, hex, short: shortImageId(hex) };
}

/** `1:2.39.5-0+deb12u2` → `2.39.5`; `2:1.19~1` → `1.19`: the upstream part a version command prints. */
export function upstreamVersion(debianVersion: string): string {
  const noEpoch = debianVersion.replace(/^\d+:/, '');
  const dash = noEpoch.lastIndexOf('-');
  const upstream = dash > 0 ? noEpoch.slice(0, dash) : noEpoch;
  return upstream.split(/[~+]/)[0]!;
}

/** Package → version of every installed package in a dpkg status file. */
export function parseDpkgStatus(text: string): Map<string, string> {
  const versions = new Map<string, string>();
  for (const stanza of text.split(/\n\n+/)) {
    const name = /^Package: (\S+)$/m.exec(stanza)?.[1];
    const version = /^Version: (\S+)$/m.exec(stanza)?.[1];
    const installed = /^Status: .* installed$/m.test(stanza);
    if (name && version && installed) versions.set(name, version);
  }
  return versions;
}

function unavailable(name: string, version: string | null, tried: SourceAttempt[]): AetherError {
  const sources = tried.map((t) => `${t.source}: ${t.reason}`).join('; ');
  return new AetherError(
    'ERR_TOOL_UNAVAILABLE',
    `${version === null ? name : `${name} ${version}`} cannot be baked. Sources tried: ${sources}`,
    { details: { tool: name, version, sources: tried } },
  );
}

/** The Debian tools' versions as the rootfs has them; ERR_TOOL_UNAVAILABLE when one misses the request. */
async function debianTools(base: CachedGuestImage, plan: ImageToolPlan, env: NodeJS.ProcessEnv) {
  if (plan.debian.length === 0) return [];
  const { stdout } = await execFileAsync('tar', ['-xOf', base.rootfsPath, './var/lib/dpkg/status'], {
    env,
    maxBuffer: 64 * 1024 * 1024,
  });
  const installed = parseDpkgStatus(stdout);
  return plan.debian.map(({ request, source }): BakedTool => {
    const pkg = source.packages[0]!;
    const debianVersion = installed.get(pkg);
    const version = debianVersion === undefined ? null : upstreamVersion(debianVersion);
    if (version === null || !versionSatisfies(version, request.version)) {
      const has = version === null ? 'does not have it' : `has ${pkg} ${debianVersion}`;
      throw unavailable(request.name, request.version, [
        { source: 'debian', reason: `${base.manifest.recipe.suite} ${has}` },
      ]);
    }
    return { name: request.name, version, origin: 'debian' };
  });
}

/**
 * The tools image over `base` (a cache hit runs nothing). Throws ERR_TOOL_UNAVAILABLE when a
 * version cannot be had (npm has no such version, the suite's package is another version),
 * ERR_IMAGE_BUILD_FAILED when npm or tar fail otherwise.
 */
export async function buildToolLayer(
  base: CachedGuestImage,
  plan: ImageToolPlan,
  options: ToolLayerOptions,
): Promise<GuestImageBuild> {
  const first = plan.unavailable[0];
  if (first) throw unavailable(first.request.name, first.request.version, first.tried);
  const { id, hex } = toolImageId(base.manifest.id, plan);
  const hit = await findCachedImage(options.dataDir, hex);
  if (hit) return { ...hit, cached: true, durationMs: 0 };

  const started = Date.now();
  const runner = options.runner ?? createSpawnRunner();
  const { env, signal, onProgress } = options;
  const tools: BakedTool[] = await debianTools(base, plan, env);
  const buildDir = await createBuildDir(options.dataDir);
  const cleanup = { runner, env };
  try {
    const staging = path.join(buildDir, 'layer');
    const prefix = path.join(staging, GUEST_TOOLS_PREFIX);
    const binDir = path.join(staging, 'usr/local/bin');
    await mkdir(prefix, { recursive: true, mode: 0o755 });
    await mkdir(binDir, { recursive: true, mode: 0o755 });
    const links: string[] = [];
    let count = 0;
    for (const { request, source, spec } of plan.npm) {
      onProgress?.({ phase: 'tools', package: spec, count: ++count, message: `npm install ${spec}` });
      const result = await runner.run(
        'npm',
        ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--loglevel=error', spec],
        { env, signal },
      );
      if (result.exitCode !== 0 || signal?.aborted) {
        const output = result.tail.join('\n');
        if (/ETARGET|No matching version|E404|notarget/i.test(output)) {
          throw unavailable(request.name, request.version, [
            { source: 'npm', reason: `the registry has no ${spec}` },
          ]);
        }
        throw stepFailed(`npm install ${spec}`, result, signal);
      }
      const manifest = JSON.parse(
        await readFile(path.join(prefix, 'node_modules', source.package, 'package.json'), 'utf8'),
      ) as { version?: unknown };
      const version = typeof manifest.version === 'string' ? manifest.version : '';
      if (!versionSatisfies(version, request.version)) {
        throw unavailable(request.name, request.version, [
          { source: 'npm', reason: `npm installed ${source.package} ${version}` },
        ]);
      }
      tools.push({ name: request.name, version, origin: 'npm' });
      for (const bin of source.bins) {
        await symlink(`${GUEST_TOOLS_PREFIX}/node_modules/.bin/${bin}`, path.join(binDir, bin));
        links.push(`./usr/local/bin/${bin}`);
      }
    }

    const tarball = path.join(buildDir, ROOTFS_FILE);
    onProgress?.({ phase: 'archive', count: 0, message: `adding the tools to a copy of ${ROOTFS_FILE}` });
    await copyFile(base.rootfsPath, tarball);
    if (plan.npm.length > 0) {
      const tar = await runner.run(
        'tar',
        [
          '--numeric-owner',
          '--owner=0',
          '--group=0',
          '-rf',
          tarball,
          '-C',
          staging,
          `.${path.posix.dirname(GUEST_TOOLS_PREFIX)}`,
          ...links,
        ],
        { env, signal },
      );
      if (tar.exitCode !== 0 || signal?.aborted) throw stepFailed('tar', tar, signal);
    }
    await removeBuildDir(staging, cleanup);
    const order = new Map([...plan.debian, ...plan.npm].map((entry, i) => [entry.request.name, i]));
    tools.sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0));
    const manifest: GuestImageManifest = {
      id,
      recipe: base.manifest.recipe,
      createdAt: new Date().toISOString(),
      sizeBytes: (await stat(tarball)).size,
      builderVersion: BUILDER_VERSION,
      baseId: base.manifest.id,
      tools,
    };
    await writeManifest(buildDir, manifest);
    const entry = await commitBuildDir(options.dataDir, buildDir, hex);
    return { ...entry, cached: false, durationMs: Date.now() - started };
  } catch (error) {
    await removeBuildDir(buildDir, cleanup).catch(() => {});
    if (error instanceof AetherError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new AetherError('ERR_IMAGE_BUILD_FAILED', `baking tools failed: ${message}`, { cause: error });
  }
}
