// A CI step: copy a project into a fresh sandbox, run its tests there with the output streamed
// as it happens, and exit with their status. The sandbox is deleted however the run ends.
// Run: node examples/ci.mjs <project dir> [test command]   (default: npm test)
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { Sandbox } from '@aetherium/sdk';

const [projectDir = '.', ...command] = process.argv.slice(2);
const testCommand = command.length ? command : ['npm', 'test'];

/** Every regular file under `dir`, as paths relative to it (node_modules and .git left out). */
async function filesUnder(dir, prefix = '') {
  const found = [];
  for (const entry of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === '.git') continue;
    const relative = path.join(prefix, entry.name);
    if (entry.isDirectory()) found.push(...(await filesUnder(dir, relative)));
    else if (entry.isFile()) found.push(relative);
  }
  return found;
}

const sandbox = await Sandbox.create({ labels: { example: 'ci' }, ttl: '30m' });
try {
  for (const file of await filesUnder(projectDir)) {
    await sandbox.files.upload(path.join(projectDir, file), `workspace/${file}`);
  }
  // `cd` in a shell, then the command as its own argv: nothing of it is parsed by a shell.
  const result = await sandbox.commands.run(['sh', '-c', 'cd workspace && exec "$@"', 'sh', ...testCommand], {
    onStdout: (text) => process.stdout.write(text),
    onStderr: (text) => process.stderr.write(text),
  });
  console.log(`\n${testCommand.join(' ')}: ${result.outcome}, exit ${result.exitCode}`);
  process.exitCode = result.exitCode ?? 1;
} finally {
  await sandbox.kill();
}
