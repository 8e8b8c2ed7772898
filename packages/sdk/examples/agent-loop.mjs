// An agent's loop in miniature: write code, run its tests, read the failure, fix, run again.
// A real agent asks a model for the fix; here the "model" is a function that reads the failure.
// Run: node examples/agent-loop.mjs   (against `npm start`, or AETHER_URL / AETHER_TOKEN)
import { Sandbox } from '@aetherium/sdk';

const code = `export function median(values) {
  const sorted = [...values].sort();
  return sorted[Math.floor(sorted.length / 2)];
}
`;
const tests = `import assert from 'node:assert/strict';
import { median } from './median.mjs';
assert.equal(median([3, 1, 2]), 2);
assert.equal(median([10, 9, 1, 2]), 5.5);
assert.equal(median([100, 20, 3]), 20);
console.log('all tests passed');
`;

/** Stands in for the model: given the failing output and the code, returns new code. */
function proposeFix(failure, source) {
  if (/5\.5/.test(failure) && !source.includes('% 2')) {
    return `export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
`;
  }
  throw new Error(`no idea how to fix:\n${failure}`);
}

const sandbox = await Sandbox.create({ labels: { example: 'agent-loop' }, ttl: '10m' });
try {
  await sandbox.files.write('project/median.mjs', code);
  await sandbox.files.write('project/median.test.mjs', tests);

  let source = code;
  let passed = false;
  for (let attempt = 1; attempt <= 3 && !passed; attempt++) {
    // Relative paths start at the sandbox's home, where the files went.
    const run = await sandbox.commands.run('cd project && node median.test.mjs');
    console.log(`attempt ${attempt}: exit ${run.exitCode}`);
    passed = run.exitCode === 0;
    if (passed) console.log(run.stdout.trim());
    else {
      source = proposeFix(run.stderr, source);
      await sandbox.files.write('project/median.mjs', source);
    }
  }
  if (!passed) console.error('still failing after 3 attempts');
  process.exitCode = passed ? 0 : 1;
} finally {
  // In TypeScript (or Node 24), `await using sandbox = …` does this.
  await sandbox.kill();
}
