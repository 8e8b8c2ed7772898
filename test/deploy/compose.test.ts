/**
 * The platform's container image and its docker-compose deployment, for real. The images are
 * built on this machine (deploy/compose/ci/build-images.sh: a Debian base by debootstrap,
 * Debian-package stand-ins for the official postgres and redis images, the Aetherium image from
 * the repository's Dockerfile); the compose project comes up under a name of its own, an API
 * key is made with `aether key create` in the gateway container, a VM is created on the
 * process driver in a worker container, and commands and a file go through the gateway's
 * published port. Then: who each container runs as, read-only roots, and `down -v` leaving no
 * container, volume or network behind (also when a test failed).
 *
 * The compose file is checked as users get it too: `docker-compose config` with and without the
 * observability profile (whose Loki and Grafana images no registry gives us here, so they are
 * not started), the secrets it insists on, and Grafana's provisioning.
 *
 * Needs Docker and Compose (either `docker compose` or Debian's docker-compose 1.29), and, the
 * first time, root and debootstrap for the base image and Debian's archive and the npm registry
 * from inside `docker build`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { requireBackend } from '../support/backends.js';
import {
  type ComposeProject,
  composeProject,
  docker,
  findCompose,
  projectLeftovers,
  serviceContainer,
} from './compose-cli.js';
import { BUILD_TIMEOUT_MS, buildLocalImages, COMPOSE_FILE, localImageEnv } from './compose-images.js';

const found = await findCompose();
const available = await requireBackend(
  'docker-compose',
  found.argv !== null,
  'reason' in found ? found.reason : '',
);
const COMPOSE = found.argv ?? [];

/** The uid the image's `aether` user has (Dockerfile). */
const AETHER_UID = '10001';
const WORKERS = ['worker-1', 'worker-2'];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function eventually<T>(what: string, timeoutMs: number, probe: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== null) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (last: ${(last as Error).message})` : ''}`);
}

describe.skipIf(!available)('docker-compose deployment', () => {
  let scratch = '';
  let emptyEnvFile = '';
  const secrets = {
    AETHER_POSTGRES_PASSWORD: randomBytes(16).toString('hex'),
    AETHER_CLUSTER_SECRET: randomBytes(32).toString('hex'),
  };
  // Made when used: the env file exists only from beforeAll on.
  const projectFor = (name: string, env: Record<string, string>): ComposeProject =>
    composeProject({ compose: COMPOSE, file: COMPOSE_FILE, name, envFile: emptyEnvFile, env });

  beforeAll(() => {
    scratch = mkdtempSync(path.join(os.tmpdir(), 'aether-compose-'));
    emptyEnvFile = path.join(scratch, 'empty.env');
    writeFileSync(emptyEnvFile, '');
  });
  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  describe('the compose file as shipped', () => {
    const config = () => projectFor('aether-compose-config', secrets);

    it('is valid, and the observability profile adds Loki and Grafana', async () => {
      const plain = parseYaml((await config().run(['config'])).stdout) as {
        services: Record<string, unknown>;
      };
      expect(Object.keys(plain.services)).toEqual(
        expect.arrayContaining(['postgres', 'redis', 'migrate', 'gateway', ...WORKERS]),
      );
      const observed = parseYaml((await config().run(['--profile', 'observability', 'config'])).stdout) as {
        services: Record<string, { profiles?: string[] }>;
      };
      expect(observed.services.loki?.profiles).toEqual(['observability']);
      expect(observed.services.grafana?.profiles).toEqual(['observability']);
    });

    it('refuses to run without its two secrets, naming each', async () => {
      for (const missing of Object.keys(secrets)) {
        const env = { ...secrets, [missing]: '' };
        const result = await projectFor('aether-compose-config', env).tryRun(['config', '-q']);
        expect(result.code).not.toBe(0);
        expect(result.stdout + result.stderr).toContain(`set ${missing}`);
      }
    });

    it('provisions Grafana with the Loki datasource its dashboard names', () => {
      const grafana = path.join(path.dirname(COMPOSE_FILE), 'grafana');
      const sources = parseYaml(
        readFileSync(path.join(grafana, 'provisioning/datasources/loki.yaml'), 'utf8'),
      ) as {
        datasources: { uid: string; type: string; url: string }[];
      };
      const loki = sources.datasources.find((d) => d.type === 'loki');
      expect(loki?.url).toBe('http://loki:3100');
      const providers = parseYaml(
        readFileSync(path.join(grafana, 'provisioning/dashboards/aetherium.yaml'), 'utf8'),
      ) as { providers: { options: { path: string } }[] };
      expect(providers.providers[0]?.options.path).toBe('/var/lib/grafana/dashboards');
      const dashboard = JSON.parse(
        readFileSync(path.join(grafana, 'dashboards/aetherium-logs.json'), 'utf8'),
      ) as {
        panels: { title: string; datasource: { uid: string }; targets: { expr: string }[] }[];
      };
      expect(dashboard.panels.length).toBeGreaterThan(0);
      for (const panel of dashboard.panels) {
        expect(panel.datasource.uid, panel.title).toBe(loki?.uid);
        for (const target of panel.targets) expect(target.expr, panel.title).toMatch(/^[a-z(]*.*\{.+\}/);
      }
    });
  });

  describe('brought up on local images', () => {
    const name = `aether-compose-${randomBytes(4).toString('hex')}`;
    let project: ComposeProject;
    let gateway = '';
    let apiKey = '';
    let adminKey = '';
    /** Every volume a container of the project mounted: anonymous ones carry no project label. */
    const mounted = new Set<string>();
    let down: Promise<void> | null = null;

    const api = async (method: string, route: string, body?: unknown, token = apiKey) => {
      const response = await fetch(`${gateway}/api/v1${route}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    };

    const recordMounts = async () => {
      const { containers } = await projectLeftovers(name);
      if (containers.length === 0) return;
      const out = await docker([
        'inspect',
        '--format',
        '{{range .Mounts}}{{if eq .Type "volume"}}{{.Name}} {{end}}{{end}}',
        ...containers,
      ]);
      for (const volume of out.split(/\s+/).filter(Boolean)) mounted.add(volume);
    };

    const takeDown = () => {
      down ??= (async () => {
        await recordMounts().catch(() => {});
        await project.run(['down', '-v', '--remove-orphans', '-t', '20'], 180_000);
      })();
      return down;
    };

    beforeEach(({ onTestFailed }) => {
      onTestFailed(async () => {
        if (!project || down) return;
        const logs = await project.tryRun(['logs', '--no-color', '--tail', '40']);
        console.error(`[compose] project ${name} after a failure:\n${logs.stdout}${logs.stderr}`);
      });
    });

    beforeAll(async () => {
      const { durationMs } = await buildLocalImages();
      console.info(`[compose] images ready in ${durationMs} ms`);
      const port = await freePort();
      gateway = `http://127.0.0.1:${port}`;
      project = projectFor(name, {
        ...secrets,
        ...localImageEnv(),
        AETHER_GATEWAY_ADDRESS: '127.0.0.1',
        AETHER_GATEWAY_PORT: String(port),
      });
      const started = Date.now();
      // Compose waits for postgres and redis to be healthy and migrate to finish before the rest.
      await project.run(['up', '-d'], 300_000);
      console.info(`[compose] project ${name} up in ${Date.now() - started} ms`);
    }, BUILD_TIMEOUT_MS + 300_000);

    afterAll(async () => {
      if (project)
        await takeDown().catch((error: Error) => console.error(`[compose] down failed: ${error.message}`));
    }, 240_000);

    it('becomes healthy: migrate ran once, every long-running service passes its health check', async () => {
      const migrate = await serviceContainer(name, 'migrate');
      expect(
        (await docker(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', migrate])).trim(),
      ).toBe('exited 0');
      for (const service of ['postgres', 'redis', 'gateway', ...WORKERS]) {
        const id = await serviceContainer(name, service);
        await eventually(`${service} healthy`, 120_000, async () => {
          // Not yet healthy is retried (a health status can recover); the last one is reported.
          const health = (await docker(['inspect', '--format', '{{.State.Health.Status}}', id])).trim();
          if (health !== 'healthy') throw new Error(`${service} is ${health}`);
          return health;
        });
      }
      const ready = await fetch(`${gateway}/api/v1/ready`);
      expect(ready.status).toBe(200);
    }, 180_000);

    it('makes API keys with `aether key create` in the gateway container', async () => {
      const create = async (keyName: string, admin: boolean) => {
        const args = ['exec', '-T', 'gateway', 'aether', 'key', 'create', keyName, '--json'];
        const { stdout } = await project.run(admin ? [...args, '--admin'] : args);
        return (JSON.parse(stdout) as { secret: string }).secret;
      };
      apiKey = await create('compose-test', false);
      adminKey = await create('compose-test-admin', true);
      expect(apiKey).toMatch(/^aek_/);
      const workers = await api('GET', '/workers', undefined, adminKey);
      expect(workers.status).toBe(200);
      const listed = (workers.body.workers as { id: string; status: string; drivers: string[] }[]).map(
        (w) => [w.id, w.status, w.drivers],
      );
      expect(listed.sort()).toEqual(WORKERS.map((id) => [id, 'active', ['process']]));
    }, 60_000);

    it('runs commands in a process-driver VM on a worker, and moves a file through its data plane', async () => {
      const created = await api('POST', '/vms?wait=true', { name: 'compose-vm', driver: 'process' });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      const vm = (await api('GET', '/vms/compose-vm')).body as {
        id: string;
        status: string;
        worker_id: string;
      };
      console.info(`[compose] VM ${vm.id} on ${vm.worker_id}`);
      expect(vm.status).toBe('running');
      expect(WORKERS).toContain(vm.worker_id);

      const run = async (command: string, args: string[]) => {
        const answer = await api('POST', `/vms/${vm.id}/execute?wait=true`, { command, args });
        expect(answer.status, JSON.stringify(answer.body)).toBe(200);
        return answer.body.execution as {
          outcome: string;
          exit_code: number;
          stdout: string;
          stderr: string;
        };
      };
      const echo = await run('echo', ['hello from compose']);
      expect(echo).toMatchObject({
        outcome: 'exited',
        exit_code: 0,
        stdout: 'hello from compose\n',
        stderr: '',
      });
      const failing = await run('sh', ['-c', 'echo to stderr >&2; exit 3']);
      expect(failing).toMatchObject({ exit_code: 3, stdout: '', stderr: 'to stderr\n' });

      // Files go gateway -> the owning worker's data plane (http://worker-N:8091), not the queue.
      const body = randomBytes(64 * 1024);
      const put = await fetch(`${gateway}/api/v1/vms/${vm.id}/files?path=data.bin`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/octet-stream' },
        body,
      });
      expect(put.status, await put.clone().text()).toBe(201);
      const get = await fetch(`${gateway}/api/v1/vms/${vm.id}/files?path=data.bin`, {
        headers: { authorization: `Bearer ${apiKey}` },
      });
      expect(Buffer.from(await get.arrayBuffer()).equals(body)).toBe(true);

      const deleted = await api('DELETE', `/vms/${vm.id}?wait=true`);
      expect(deleted.status, JSON.stringify(deleted.body)).toBe(200);
    }, 120_000);

    it('runs aether as its own user everywhere, without capabilities, on read-only roots', async () => {
      for (const service of ['migrate', 'gateway', ...WORKERS]) {
        const id = await serviceContainer(name, service);
        const inspected = JSON.parse(await docker(['inspect', id])) as {
          Config: { User: string };
          HostConfig: { ReadonlyRootfs: boolean; CapDrop: string[] | null; SecurityOpt: string[] | null };
        }[];
        const host = inspected[0]?.HostConfig;
        expect(host?.ReadonlyRootfs, service).toBe(true);
        expect(host?.CapDrop, service).toEqual(['ALL']);
        expect(host?.SecurityOpt, service).toContain('no-new-privileges:true');
        // Gateway and migrate start as the image's user; a worker starts as root only for its
        // entrypoint's proc mount.
        expect(inspected[0]?.Config.User, service).toBe(WORKERS.includes(service) ? 'root' : 'aether');
      }
      for (const service of ['gateway', ...WORKERS]) {
        const id = await serviceContainer(name, service);
        const role = service === 'gateway' ? 'gateway' : 'worker';
        // The node process of the role, found by its command line (`node .../aether worker`; not
        // this shell, whose own command line holds the pattern); /proc inside the container.
        const script = `for p in /proc/[0-9]*; do case "$(tr '\\0' ' ' < "$p/cmdline" 2>/dev/null)" in "node "*"aether ${role}"*) grep -E '^(Uid|CapEff):' "$p/status";; esac; done`;
        const status = await docker(['exec', id, 'sh', '-c', script]);
        const uids = /^Uid:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(status);
        expect(uids?.slice(1), `${service}: ${status}`).toEqual([
          AETHER_UID,
          AETHER_UID,
          AETHER_UID,
          AETHER_UID,
        ]);
        expect(/^CapEff:\s+(\w+)/m.exec(status)?.[1], service).toBe('0000000000000000');
        // /tmp is the tmpfs compose gives; /var/tmp is world-writable, but on the read-only root.
        const write = await project.tryRun([
          'exec',
          '-T',
          service,
          'sh',
          '-c',
          'touch /tmp/probe && touch /var/tmp/probe',
        ]);
        expect(write.code, service).not.toBe(0);
        expect(write.stdout + write.stderr, service).toContain('/var/tmp/probe');
        expect(write.stdout + write.stderr, service).toContain('Read-only file system');
      }
    }, 60_000);

    it('`down -v` removes every container, volume and network of the project', async () => {
      await takeDown();
      expect(mounted.size).toBeGreaterThan(0);
      expect(await projectLeftovers(name)).toEqual({ containers: [], volumes: [], networks: [] });
      const volumes = new Set((await docker(['volume', 'ls', '-q'])).split('\n').filter(Boolean));
      expect([...mounted].filter((volume) => volumes.has(volume))).toEqual([]);
    }, 240_000);
  });
});
