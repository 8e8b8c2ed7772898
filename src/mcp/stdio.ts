/**
 * `aether mcp` over stdio: the client (Claude Code, Claude Desktop, Cursor…) starts the process
 * and speaks MCP on its stdin and stdout. Stdout carries protocol messages only.
 */
import type { AetherClient } from '@aetherium/sdk';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createAetherMcpServer } from './server.js';

/** Anything a library prints with console.log would corrupt the protocol: it goes to stderr. */
function keepStdoutForProtocol(): void {
  const toStderr = (...args: unknown[]) => console.error(...args);
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
}

/**
 * Serves until the client closes our stdin or a SIGTERM or SIGINT comes, then closes the server.
 * Calls still in flight are not waited for: their tasks go on in the gateway.
 */
export async function serveMcpOverStdio(client: AetherClient): Promise<void> {
  keepStdoutForProtocol();
  const server = createAetherMcpServer(client);
  const ended = new Promise<void>((resolve) => {
    process.stdin.once('end', resolve);
    process.stdin.once('close', resolve);
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await server.connect(new StdioServerTransport());
  await ended;
  await server.close();
}
