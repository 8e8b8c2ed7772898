import { benchTerminalEcho, terminalEchoRows } from './terminal-echo.js';
const f = await benchTerminalEcho({ samples: 30, warmUp: 5 }, 'aetherium/guest:latest', (l) => console.error(l));
console.log(terminalEchoRows(f));
console.log(f.ours.map((x) => x.toFixed(2)).join(' '));
console.log(f.dockerExec.map((x) => x.toFixed(2)).join(' '));
