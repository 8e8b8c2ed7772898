/**
 * Start-up of the `aether` binary as a user runs it (bin/aether.js → dist/), next to a bare
 * `node -e 0` measured in the same loop: `aether --version`, which loads the CLI and nothing
 * else, and `aether vm ls` against a running embedded node, a whole client call (CLI, client,
 * one authenticated HTTP request). Each sample is a fresh process, timed from spawn to exit; the
 * three commands take turns so a busy moment of the machine weighs on each alike. The binary is
 * this checkout's, built into a package of its own (cli-package.ts) so it measures the sources
 * as they are and never touches the checkout's dist/.
 * Target: `aether vm ls` ≤ 4× `node -e 0` (medians).
 */
import { spawn } from 'node:child_process';
import { startTestNode } from '../test/support/embedded-node.js';
import { gatewayKey } from '../test/support/gateway-keys.js';
import { cliPackage } from './cli-package.js';
import { fmt, percentile, ratio } from './stats.js';
export const CLI_TARGET_RATIO = 4;

export interface CliStartupFigures {
  samples: number;
  bareNode: number[];
  version: number[];
  vmLs: number[];
}

/** Milliseconds from spawn to exit; a failed run fails the section (its stderr says why). */
function timeRun(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => {
      stderr += data.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      const ms = performance.now() - started;
      if (code === 0) resolve(ms);
      else reject(new Error(`${argv.slice(1).join(' ')} exited ${code}: ${stderr.trim()}`));
    });
  });
}

export async function benchCliStartup(
  options: { samples: number },
  log: (line: string) => void,
): Promise<CliStartupFigures> {
  const { bin } = await cliPackage((line) => log(`cli: ${line}`));
  return measure(bin, options.samples, log);
}

async function measure(
  bin: string,
  samples: number,
  log: (line: string) => void,
): Promise<CliStartupFigures> {
  const node = await startTestNode({ AETHER_WARM_POOL_SIZE: '0' });
  try {
    const env = { ...process.env, AETHER_URL: node.url, AETHER_TOKEN: gatewayKey(node.url) ?? '' };
    const bare = [process.execPath, '-e', '0'];
    const version = [process.execPath, bin, '--version'];
    const vmLs = [process.execPath, bin, 'vm', 'ls'];
    // One untimed round: the file system cache and the gateway's first request.
    for (const argv of [bare, version, vmLs]) await timeRun(argv, env);
    const figures: CliStartupFigures = { samples, bareNode: [], version: [], vmLs: [] };
    log(`cli: ${samples} rounds of node -e 0, aether --version, aether vm ls`);
    for (let i = 0; i < samples; i++) {
      figures.bareNode.push(await timeRun(bare, env));
      figures.version.push(await timeRun(version, env));
      figures.vmLs.push(await timeRun(vmLs, env));
    }
    return figures;
  } finally {
    await node.stop();
  }
}

export function cliStartupRows(f: CliStartupFigures): string[][] {
  const bare = percentile(f.bareNode, 50);
  const row = (name: string, samples: number[]) => {
    const p50 = percentile(samples, 50);
    return [name, fmt(p50), fmt(percentile(samples, 90)), fmt(bare), ratio(p50, bare)];
  };
  return [
    ['command', 'p50', 'p90', 'node -e 0 p50', 'ratio'],
    row('aether --version', f.version),
    row('aether vm ls (running node)', f.vmLs),
  ];
}

/** Whether `aether vm ls` is within the target, as a line for the report. */
export function cliTargetLine(f: CliStartupFigures): string {
  const share = percentile(f.vmLs, 50) / percentile(f.bareNode, 50);
  return `target: aether vm ls ≤ ${CLI_TARGET_RATIO}× node -e 0 (medians): ${share <= CLI_TARGET_RATIO ? 'met' : 'NOT met'} (${share.toFixed(2)}×)`;
}
