/**
 * A CPU profile of file transfers on an embedded node in this process (gateway, data plane and
 * agent client; the agent is a process of its own): `node --cpu-prof --cpu-prof-dir=DIR --import
 * tsx bench/profile-files.ts [MiB]`. Prints the wall time of each direction and the agent's CPU
 * time, read from /proc, so the two ends can be compared.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { startTestNode } from '../test/support/embedded-node.js';

const mib = Number(process.argv[2] ?? 256);
const data = randomBytes(mib * 1024 ** 2);

/** CPU seconds of every process whose command line mentions the agent bundle. */
function agentCpuSeconds(): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('agent')) continue;
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // Gone meanwhile.
    }
  }
  return ticks / 100;
}

const node = await startTestNode();
try {
  const { vm } = await node.client.createVm({ name: 'prof' }, { wait: true });
  const headers: Record<string, string> = node.node.localAdminKey
    ? { authorization: `Bearer ${node.node.localAdminKey}` }
    : {};
  const url = `${node.url}/api/v1/vms/${vm.id}/files?path=prof.bin`;
  for (let round = 0; round < 2; round++) {
    const cpu0 = agentCpuSeconds();
    let t = performance.now();
    const chunks = [];
    for (let i = 0; i < data.length; i += 1 << 20) chunks.push(data.subarray(i, i + (1 << 20)));
    const up = await fetch(url, {
      method: 'PUT',
      headers: { ...headers, 'content-type': 'application/octet-stream' },
      body: Readable.toWeb(Readable.from(chunks)) as never,
      duplex: 'half',
    } as RequestInit);
    if (up.status !== 201) throw new Error(await up.text());
    const upMs = performance.now() - t;
    const cpu1 = agentCpuSeconds();
    t = performance.now();
    const down = await fetch(url, { headers });
    let bytes = 0;
    for await (const chunk of down.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.length;
    const downMs = performance.now() - t;
    const cpu2 = agentCpuSeconds();
    console.log(
      `round ${round}: up ${(mib / (upMs / 1000)).toFixed(0)} MiB/s (agent CPU ${(cpu1 - cpu0).toFixed(2)} s), down ${(mib / (downMs / 1000)).toFixed(0)} MiB/s (agent CPU ${(cpu2 - cpu1).toFixed(2)} s), ${bytes} bytes`,
    );
  }
} finally {
  await node.stop();
}
