/**
 * The Docker and Compose command lines the compose test drives: which Compose this machine has
 * (the `docker compose` plugin, or Debian's `docker-compose` 1.29), and one project run with a
 * name and an environment of its own.
 */
import { type CommandResult, runCommand } from '../support/run-command.js';

/** argv that runs Compose here, or why there is none. */
export type ComposeCommand = { argv: string[]; version: string } | { argv: null; reason: string };

async function answers(argv: string[]): Promise<CommandResult | null> {
  try {
    const result = await runCommand(argv, { timeoutMs: 20_000 });
    return result.code === 0 ? result : null;
  } catch {
    return null;
  }
}

export async function findCompose(): Promise<ComposeCommand> {
  const engine = await answers(['docker', 'version', '--format', '{{.Server.Version}}']);
  if (!engine) return { argv: null, reason: 'no Docker engine answers `docker version`; start dockerd' };
  for (const argv of [['docker', 'compose'], ['docker-compose']]) {
    const version = await answers([...argv, 'version', '--short']);
    if (version) return { argv, version: version.stdout.trim() };
  }
  return {
    argv: null,
    reason: 'neither `docker compose` nor `docker-compose` runs (apt-get install docker-compose)',
  };
}

export interface ComposeProjectOptions {
  compose: string[];
  file: string;
  /** Unique per run: it names every container, volume and network of the project. */
  name: string;
  /** An empty file: a developer's .env beside the compose file must not leak in. */
  envFile: string;
  env: Record<string, string>;
}

export interface ComposeProject {
  readonly name: string;
  /** Runs `compose -f FILE -p NAME ARGS`; rejects with its output when it exits non-zero. */
  run(args: string[], timeoutMs?: number): Promise<CommandResult>;
  /** Like run, but resolves whatever the exit code. */
  tryRun(args: string[], timeoutMs?: number): Promise<CommandResult>;
}

export function composeProject(options: ComposeProjectOptions): ComposeProject {
  const base = [...options.compose, '-f', options.file, '--env-file', options.envFile, '-p', options.name];
  const env = { ...process.env, ...options.env };
  const tryRun = (args: string[], timeoutMs = 120_000) => runCommand([...base, ...args], { env, timeoutMs });
  return {
    name: options.name,
    tryRun,
    async run(args, timeoutMs) {
      const result = await tryRun(args, timeoutMs);
      if (result.code !== 0) {
        throw new Error(
          `compose ${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`,
        );
      }
      return result;
    },
  };
}

/** `docker ARGS`, rejecting with its output when it fails. */
export async function docker(args: string[], timeoutMs = 60_000): Promise<string> {
  const result = await runCommand(['docker', ...args], { timeoutMs });
  if (result.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}

/** What a project left behind: ids of its containers, volumes and networks (by Compose's label). */
export async function projectLeftovers(
  name: string,
): Promise<{ containers: string[]; volumes: string[]; networks: string[] }> {
  const filter = `label=com.docker.compose.project=${name}`;
  const ids = (out: string) => out.split('\n').filter(Boolean);
  return {
    containers: ids(await docker(['ps', '-aq', '--filter', filter])),
    volumes: ids(await docker(['volume', 'ls', '-q', '--filter', filter])),
    networks: ids(await docker(['network', 'ls', '-q', '--filter', filter])),
  };
}

/** The id of a service's container in the project. */
export async function serviceContainer(project: string, service: string): Promise<string> {
  const out = await docker([
    'ps',
    '-aq',
    '--filter',
    `label=com.docker.compose.project=${project}`,
    '--filter',
    `label=com.docker.compose.service=${service}`,
  ]);
  const id = out.split('\n').find(Boolean);
  if (!id) throw new Error(`no container of service ${service} in project ${project}`);
  return id;
}
