// The image's HEALTHCHECK: one probe for every role, read from PID 1's command line (tini runs
// `aether <role>`). No curl in the image; Node's fetch does it.
//   gateway, up: GET /api/v1/health on AETHER_PORT (default 8080); with the argument `ready`,
//                GET /api/v1/ready instead (200 only once store, queue and workers answer).
//   worker:      GET /metrics on AETHER_METRICS_PORT when it is set (the event loop answers);
//                without it there is nothing to ask, and a worker that dies ends the container.
//   migrate:     a one-shot: healthy while it runs.
// Exit 0 = healthy, 1 = unhealthy; one line on stdout says why (docker inspect shows it).
import { readFileSync } from 'node:fs';

const ROLES = ['up', 'gateway', 'worker', 'migrate'];
const TIMEOUT_MS = 4000;

function role() {
  try {
    const argv = readFileSync('/proc/1/cmdline', 'utf8').split('\0');
    return argv.find((word) => ROLES.includes(word)) ?? null;
  } catch {
    return null;
  }
}

async function probe(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    await response.body?.cancel();
    return { ok: response.ok, why: `${url}: HTTP ${response.status}` };
  } catch (error) {
    return { ok: false, why: `${url}: ${error.cause?.code ?? error.name}` };
  }
}

async function check(current) {
  if (current === 'gateway' || current === 'up') {
    const route = process.argv[2] === 'ready' ? 'ready' : 'health';
    return probe(`http://127.0.0.1:${process.env.AETHER_PORT || 8080}/api/v1/${route}`);
  }
  if (current === 'worker') {
    const port = process.env.AETHER_METRICS_PORT;
    if (!port) return { ok: true, why: 'worker without AETHER_METRICS_PORT: nothing to probe' };
    return probe(`http://127.0.0.1:${port}/metrics`);
  }
  if (current === 'migrate') return { ok: true, why: 'migrate runs once' };
  return { ok: false, why: `PID 1 runs none of ${ROLES.join(', ')}` };
}

const result = await check(role());
console.log(result.why);
process.exit(result.ok ? 0 : 1);
