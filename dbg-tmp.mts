import { startTestNode } from './test/support/embedded-node.ts';
const t = await startTestNode();
for (let i = 0; i < 30; i++) {
  const s = performance.now();
  const r = await Promise.race([t.client.createVm({ name: `d${i}` }, { wait: true }), new Promise((_, rej) => setTimeout(() => rej(new Error('hang create ' + i)), 10000))]);
  const e = await Promise.race([t.client.execute(`d${i}`, { command: 'no-such' }, { wait: true }).catch((e) => e), new Promise((_, rej) => setTimeout(() => rej(new Error('hang exec ' + i)), 10000))]);
  console.log(i, (performance.now() - s).toFixed(0), (r as any).vm.status, (e as any).code);
}
await t.stop(); process.exit(0);
