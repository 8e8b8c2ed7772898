/**
 * `aether mcp`: the MCP server for AI agents (docs/mcp.md), over stdio or, with `--http`, over
 * streamable HTTP. The MCP SDK loads only here, inside the action.
 */
import type { Command } from 'commander';
import { AetherError } from '../../core/errors.js';
import { clientFromEnv, DEFAULT_URL } from '../client-from-env.js';

export const DEFAULT_MCP_PORT = 8090;

interface McpFlags {
  http?: boolean;
  port?: string;
  host?: string;
}

function portOf(text: string): number {
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port > 65_535) {
    throw new AetherError('ERR_VALIDATION', `--port is 0 to 65535 (0: any free port), not "${text}"`);
  }
  return port;
}

/** Resolves on SIGTERM or SIGINT. */
function untilSignalled(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
}

async function serveHttp(flags: McpFlags): Promise<void> {
  const { startMcpHttpServer } = await import('../../mcp/http.js');
  const processKey = process.env.AETHER_TOKEN || undefined;
  const gatewayUrl = process.env.AETHER_URL || DEFAULT_URL;
  const log = (line: string) => process.stderr.write(`aether mcp: ${line}\n`);
  const running = await startMcpHttpServer(
    {
      host: flags.host ?? '127.0.0.1',
      port: flags.port === undefined ? DEFAULT_MCP_PORT : portOf(flags.port),
      gatewayUrl,
      ...(processKey ? { processKey } : {}),
    },
    log,
  );
  log(`serving MCP at ${running.url} for the gateway at ${gatewayUrl}`);
  log(
    processKey
      ? 'requests without an Authorization header act with the key of AETHER_TOKEN'
      : 'each request needs Authorization: Bearer <API key>',
  );
  await untilSignalled();
  await running.close();
}

export function registerMcpCommand(program: Command): void {
  program
    .command('mcp')
    .description(
      'serve MCP (Model Context Protocol) tools for AI agents: create VMs, run commands, read and write files, preview URLs; over stdio, or HTTP with --http',
    )
    .option('--http', 'serve streamable HTTP at /mcp instead of stdio; each request acts with its bearer key')
    .option('--port <n>', `with --http: the port (default ${DEFAULT_MCP_PORT}; 0: any free port)`)
    .option('--host <address>', 'with --http: the address to listen on (default 127.0.0.1)')
    .action(async (flags: McpFlags) => {
      if (!flags.http && (flags.port !== undefined || flags.host !== undefined)) {
        throw new AetherError('ERR_VALIDATION', '--port and --host go with --http');
      }
      if (flags.http) {
        await serveHttp(flags);
      } else {
        const { serveMcpOverStdio } = await import('../../mcp/stdio.js');
        await serveMcpOverStdio(clientFromEnv());
      }
      // Calls in flight hold sockets open: end now, as the client or the signal asked.
      process.exit(0);
    });
}
