/**
 * The MCP server of Aetherium: tools an AI agent uses to make VMs and work in them. Every tool
 * acts through one `AetherClient`, so with the API key it carries: what the key's project may
 * see and do, nothing more.
 */
import type { AetherClient } from '@aetherium/sdk';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { VERSION } from '../core/version.js';
import { registerFileTools } from './tools/file-tools.js';
import { registerPortUrl } from './tools/port-url.js';
import { registerRunCommand } from './tools/run-command.js';
import { registerVmTools } from './tools/vm-tools.js';

const INSTRUCTIONS = [
  'Aetherium runs code in isolated VMs (sandboxes): nothing done inside one reaches this machine.',
  'Usual flow: create_vm, then run_command, write_file, read_file and list_files with its id or name as `vm`;',
  'port_url makes a URL of a server started with run_command and `background: true`; delete_vm when done.',
  'list_vms finds VMs made earlier (labels given at create_vm help). Errors come back as `CODE: message`.',
].join(' ');

export function createAetherMcpServer(client: AetherClient): McpServer {
  const server = new McpServer({ name: 'aetherium', version: VERSION }, { instructions: INSTRUCTIONS });
  registerVmTools(server, client);
  registerRunCommand(server, client);
  registerFileTools(server, client);
  registerPortUrl(server, client);
  return server;
}
