// Baseline runner, in its own small process: spawning from a process that holds an embedded
// database (hundreds of MiB) costs more per fork, which would flatter Aetherium's ratios.
// Usage: node spawn-baseline.mjs <namespace|plain> <calls> <concurrency>  → JSON {samples, perSecond}
import { spawn } from 'node:child_process';

const [mode = 'namespace', callsArg = '100', concurrencyArg = '1'] = process.argv.slice(2);
const NAMESPACES = [
  '--user',
  '--map-root-user',
  '--pid',
  '--fork',
  '--kill-child',
  '--mount',
  '--ipc',
  '--uts',
  '--net',
];
const asRoot = process.getuid?.() === 0;

function once() {
  const [command, args] = mode === 'namespace' ? ['unshare', [...NAMESPACES, 'true']] : ['true', []];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: 'ignore',
      // As root, run the bare namespace as an unprivileged user, as the sandboxes do.
      ...(asRoot && mode === 'namespace' ? { uid: 65534, gid: 65534 } : {}),
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}`))));
  });
}

const calls = Number(callsArg);
const concurrency = Number(concurrencyArg);
const samples = [];
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < calls) {
      next++;
      const t0 = performance.now();
      await once();
      samples.push(performance.now() - t0);
    }
  }),
);
const perSecond = calls / ((performance.now() - started) / 1000);
process.stdout.write(JSON.stringify({ samples, perSecond }));
