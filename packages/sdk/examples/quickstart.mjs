import { Sandbox } from '@aetherium/sdk';

const sandbox = await Sandbox.create();
const result = await sandbox.commands.run('echo "hello from $(uname -s)"');
console.log(result.stdout);
await sandbox.kill();
