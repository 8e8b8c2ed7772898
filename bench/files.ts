/**
 * File transfer rates through the API next to the plain copy a user would otherwise make, in the
 * same run: with the process driver, `cp` straight into (and out of) the VM's home directory on
 * the host; with the docker driver, `docker cp` into (and out of) the VM's container. Ours goes
 * REST → gateway → data plane → driver → guest agent → file, streamed both ways.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { startAetherUp } from './aether-up.js';
import { percentile } from './stats.js';

const run = promisify(execFile);

export interface TransferFigures {
  driver: 'process' | 'docker';
  /** What the baseline is: `cp` or `docker cp`. */
  baseline: string;
  sizeMiB: number;
  /**
   * MB/s per round, taken in turns: ours, the baseline's, and a bare `node:http` server's (the
   * ceiling of any HTTP file API on this machine, shown beside the target).
   */
  upload: { ours: number[]; base: number[]; bareHttp: number[] };
  download: { ours: number[]; base: number[]; bareHttp: number[] };
}

export interface TransferOptions {
  sizeMiB: number;
  rounds: number;
}

const mbPerSecond = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/** One round trip over HTTP: PUT the file to `target`, GET it back into `out`. */
async function httpRoundTrip(target: string, headers: Record<string, string>, file: string, out: string) {
  const up = await timed(async () => {
    const res = await fetch(target, {
      method: 'PUT',
      headers: { ...headers, 'content-type': 'application/octet-stream' },
      body: Readable.toWeb(createReadStream(file, { highWaterMark: 1 << 20 })) as never,
      duplex: 'half',
    } as RequestInit);
    if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${await res.text()}`);
  });
  const down = await timed(async () => {
    const res = await fetch(target, { headers });
    if (res.status !== 200 || !res.body)
      throw new Error(`download answered ${res.status}: ${await res.text()}`);
    await pipeline(Readable.fromWeb(res.body as never), createWriteStream(out));
  });
  return { up, down };
}

export async function benchTransfers(
  driver: 'process' | 'docker',
  options: TransferOptions,
  env: Record<string, string>,
  log: (line: string) => void,
): Promise<TransferFigures> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'aether-bench-files-'));
  const node = await startAetherUp(env, log);
  const bare = await startBareServer(work);
  try {
    const file = path.join(work, 'data.bin');
    writeFileSync(file, randomBytes(options.sizeMiB * 1024 ** 2));
    const expected = await sha256File(file);
    const bytes = statSync(file).size;
    const { vm } = await node.client.createVm({ name: `bench-files-${driver}` }, { wait: true });
    const figures: TransferFigures = {
      driver,
      baseline: driver === 'docker' ? 'docker cp' : 'cp into the VM directory',
      sizeMiB: options.sizeMiB,
      upload: { ours: [], base: [], bareHttp: [] },
      download: { ours: [], base: [], bareHttp: [] },
    };
    const ourTarget = `${node.url}/api/v1/vms/${vm.id}/files?path=bench.bin`;
    const ourHeaders: Record<string, string> = node.token ? { authorization: `Bearer ${node.token}` } : {};
    const home = path.join(node.stateDir, 'vms', vm.id, 'home');
    const container = `aether-${vm.id}`;
    const baseUp = () =>
      driver === 'docker'
        ? run('docker', ['cp', file, `${container}:/home/user/base.bin`])
        : run('cp', [file, path.join(home, 'base.bin')]);
    const baseDown = (out: string) =>
      driver === 'docker'
        ? run('docker', ['cp', `${container}:/home/user/base.bin`, out])
        : run('cp', [path.join(home, 'base.bin'), out]);
    log(
      `files (${driver}): ${options.rounds} rounds of ${options.sizeMiB} MiB up and down, ours and ${figures.baseline} in turns`,
    );
    // One warm-up of each, not counted.
    for (let round = 0; round <= options.rounds; round++) {
      const out = path.join(work, `out-${round}.bin`);
      const ours = await httpRoundTrip(ourTarget, ourHeaders, file, out);
      if (round === 0 && (await sha256File(out)) !== expected)
        throw new Error('the download differs from the upload');
      rmSync(out, { force: true });
      const up = await timed(baseUp);
      const down = await timed(() => baseDown(out));
      rmSync(out, { force: true });
      const ceiling = await httpRoundTrip(bare.url, {}, file, out);
      rmSync(out, { force: true });
      if (round === 0) continue;
      figures.upload.bareHttp.push(mbPerSecond(bytes, ceiling.up));
      figures.download.bareHttp.push(mbPerSecond(bytes, ceiling.down));
      figures.upload.ours.push(mbPerSecond(bytes, ours.up));
      figures.download.ours.push(mbPerSecond(bytes, ours.down));
      figures.upload.base.push(mbPerSecond(bytes, up));
      figures.download.base.push(mbPerSecond(bytes, down));
    }
    return figures;
  } finally {
    bare.stop();
    const problems = await node.stop();
    for (const problem of problems) log(`warning: ${problem}`);
    rmSync(work, { recursive: true, force: true });
  }
}

/** The bare HTTP server of bare-file-server.ts, in a process of its own, serving in `dir`. */
async function startBareServer(dir: string) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, 'bare-file-server.ts'), dir],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  return { url: `http://127.0.0.1:${line.toString().trim()}/bare.bin`, stop: () => child.stdin.end() };
}

/** Median MB/s of each direction, ours and the baseline's. */
export function transferMedians(f: TransferFigures) {
  const p50 = (xs: number[]) => percentile(xs, 50);
  return {
    upload: [p50(f.upload.ours), p50(f.upload.base)] as [number, number],
    download: [p50(f.download.ours), p50(f.download.base)] as [number, number],
  };
}

/** Median MB/s of each direction through the bare HTTP server, next to the baseline's. */
export function bareHttpMedians(f: TransferFigures) {
  const p50 = (xs: number[]) => percentile(xs, 50);
  return {
    upload: [p50(f.upload.bareHttp), p50(f.upload.base)] as [number, number],
    download: [p50(f.download.bareHttp), p50(f.download.base)] as [number, number],
  };
}

export function transferRows(f: TransferFigures): string[][] {
  const m = transferMedians(f);
  const bare = bareHttpMedians(f);
  const show = (n: number) => `${n.toFixed(0)} MB/s`;
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  return [
    ['figure', 'aetherium', f.baseline, 'ratio', 'bare node:http', 'bare / baseline', 'ours / bare'],
    ...(['upload', 'download'] as const).map((direction) => [
      `${direction} ${f.sizeMiB} MiB, median`,
      show(m[direction][0]),
      show(m[direction][1]),
      ratio(m[direction][0], m[direction][1]),
      show(bare[direction][0]),
      ratio(bare[direction][0], bare[direction][1]),
      ratio(m[direction][0], bare[direction][0]),
    ]),
  ];
}
