import { benchTunnelHttp, tunnelRows } from './tunnel-http.js';
const f = await benchTunnelHttp({ seconds: 3, rounds: 2, connections: 16, profileDir: process.env.PROF }, (l) => console.error(l));
console.log(tunnelRows(f));
console.log(JSON.stringify(f));
