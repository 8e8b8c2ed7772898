/**
 * Requests and CLI invocations from the original Go system's documentation (github.com/
 * techsavvyash/aetherium), each as the shell would split it, with where it is written. `HEAD`
 * is commit e9d9acd8; the guides at the repository's root were removed by 1f90dcbd and are read
 * at its parent, a6e9f568. The test replaces only the host and port (`http://localhost:8080`),
 * the placeholders the docs ask the reader to fill in (`your-api-key`, `$VM_ID`, `"uuid"`), and
 * adds an API key where the docs send none (the original had no authentication).
 */

export interface DocumentedCall {
  /** File, commit and heading path of the example. */
  source: string;
  /** What follows `curl` or `./bin/aether-cli`. */
  argv: readonly string[];
}

const HEAD = 'HEAD';
const ROOT_GUIDES = 'a6e9f568';

export const CURL = {
  createVmWithClaudeCode: {
    source: `docs/api-gateway.md@${HEAD} › Examples › Create VM with Claude Code Support`,
    argv: [
      '-X',
      'POST',
      'http://localhost:8080/api/v1/vms',
      '-H',
      'Content-Type: application/json',
      '-H',
      'X-API-Key: your-api-key',
      '-d',
      `{
    "name": "claude-code-vm",
    "vcpus": 2,
    "memory_mb": 2048,
    "additional_tools": ["go"],
    "tool_versions": {
      "nodejs": "20",
      "go": "1.23.0"
    }
  }`,
    ],
  },
  createVmForClaudeCodeDevelopment: {
    source: `docs/tools-and-provisioning.md@${HEAD} › Examples › Create VM for Claude Code Development`,
    argv: [
      '-X',
      'POST',
      'http://localhost:8080/api/v1/vms',
      '-H',
      'Content-Type: application/json',
      '-d',
      `{
    "name": "claude-dev",
    "vcpus": 2,
    "memory_mb": 2048
  }`,
    ],
  },
  fullStackDevelopmentVm: {
    source: `docs/tools-and-provisioning.md@${HEAD} › Examples › Full Stack Development VM`,
    argv: [
      '-X',
      'POST',
      'http://localhost:8080/api/v1/vms',
      '-H',
      'Content-Type: application/json',
      '-d',
      `{
    "name": "fullstack-vm",
    "vcpus": 8,
    "memory_mb": 16384,
    "additional_tools": ["go", "python", "rust", "docker"],
    "tool_versions": {
      "nodejs": "20",
      "go": "1.23.0",
      "python": "3.11",
      "rust": "latest",
      "docker": "latest"
    }
  }`,
    ],
  },
  executeCommandInVm: {
    source: `docs/api-gateway.md@${HEAD} › Examples › Execute Command in VM`,
    argv: [
      '-X',
      'POST',
      'http://localhost:8080/api/v1/vms/$VM_ID/execute',
      '-H',
      'Content-Type: application/json',
      '-H',
      'X-API-Key: your-api-key',
      '-d',
      `{
    "command": "git",
    "args": ["clone", "https://github.com/user/repo"]
  }`,
    ],
  },
  executeClaudeCodeWithoutContentType: {
    source: `IMPLEMENTATION-SUMMARY.md@${ROOT_GUIDES} › Quick Start › 4. Execute Claude Code`,
    argv: [
      '-X',
      'POST',
      'http://localhost:8080/api/v1/vms/$VM_ID/execute',
      '-d',
      '{"command": "claude-code", "args": ["--version"]}',
    ],
  },
  /** An HTTP snippet (`GET /tasks/{id}`), sent with curl. */
  getTaskStatus: {
    source: `docs/api-gateway.md@${HEAD} › Endpoints › Tasks › Get Task Status`,
    argv: ['http://localhost:8080/api/v1/tasks/$TASK_ID'],
  },
  /** An HTTP snippet (`GET /vms/{id}/executions`), sent with curl. */
  listExecutions: {
    source: `docs/api-gateway.md@${HEAD} › Endpoints › Command Execution › List Executions`,
    argv: ['http://localhost:8080/api/v1/vms/$VM_ID/executions'],
  },
  /** `| jq` left out: the answer is read as it comes. */
  listAllVms: {
    source: `docs/README.md@${HEAD} › Common Tasks › List all VMs`,
    argv: ['http://localhost:8080/api/v1/vms'],
  },
  queryLogs: {
    source: `docs/api-gateway.md@${HEAD} › Examples › Query Logs`,
    argv: [
      '-X',
      'POST',
      'http://localhost:8080/api/v1/logs/query',
      '-H',
      'Content-Type: application/json',
      '-H',
      'X-API-Key: your-api-key',
      '-d',
      `{
    "vm_id": "uuid",
    "level": "error",
    "limit": 50
  }`,
    ],
  },
  /** An HTTP snippet (`POST /logs/query` with its request body), sent with curl. */
  queryLogsWithTimes: {
    source: `docs/api-gateway.md@${HEAD} › Endpoints › Logs › Query Logs`,
    argv: [
      '-X',
      'POST',
      'http://localhost:8080/api/v1/logs/query',
      '-H',
      'Content-Type: application/json',
      '-d',
      `{
  "vm_id": "uuid",
  "level": "error",
  "search_text": "failed",
  "start_time": 1696512000000,
  "end_time": 1696598400000,
  "limit": 100
}`,
    ],
  },
  queryLogsWithoutContentType: {
    source: `WELCOME-BACK.md@${ROOT_GUIDES} › Key Features to Try › 3. Query Logs via API`,
    argv: ['-X', 'POST', 'http://localhost:8080/api/v1/logs/query', '-d', '{"level": "error", "limit": 50}'],
  },
  healthCheck: {
    source: `docs/integrations.md@${HEAD} › Monitoring › Health Checks (and docs/api-gateway.md › Health)`,
    argv: ['http://localhost:8080/api/v1/health'],
  },
} as const satisfies Record<string, DocumentedCall>;

export const CLI = {
  createFirstVm: {
    source: `QUICK-START.md@${ROOT_GUIDES} › Step 6: Create Your First VM`,
    argv: ['-type', 'vm:create', '-name', 'my-first-vm'],
  },
  nodeVersion: {
    source: `QUICK-START.md@${ROOT_GUIDES} › Step 8: Run Claude Code! (Test Node.js)`,
    argv: ['-type', 'vm:execute', '-vm-id', '$VM_ID', '-cmd', 'node', '-args', '--version'],
  },
  gitVersion: {
    source: `QUICK-START.md@${ROOT_GUIDES} › Step 8: Run Claude Code! (Test git)`,
    argv: ['-type', 'vm:execute', '-vm-id', '$VM_ID', '-cmd', 'git', '-args', '--version'],
  },
  cloneRepository: {
    source: `docs/README.md@${HEAD} › Common Tasks › Execute a command`,
    argv: [
      '-type',
      'vm:execute',
      '-vm-id',
      '$VM_ID',
      '-cmd',
      'git',
      '-args',
      'clone,https://github.com/user/repo',
    ],
  },
  shellCommand: {
    source: `QUICKSTART.md@${ROOT_GUIDES} › Complete Example: Clone Repo & Run Claude Code (4. Run claude-code)`,
    argv: [
      '-type',
      'vm:execute',
      '-vm-id',
      '$VM_ID',
      '-cmd',
      'sh',
      '-args',
      '-c,cd /root/veil && claude-code',
    ],
  },
  createWithTools: {
    source: `WELCOME-BACK.md@${ROOT_GUIDES} › Key Features to Try › 2. Create VM with Additional Tools`,
    argv: [
      '-type',
      'vm:create',
      '-name',
      'full-vm',
      '-tools',
      'go,python',
      '-tool-versions',
      'go=1.23.0,python=3.11',
    ],
  },
  createWithToolsColonVersions: {
    source: `docs/tools-provisioning.md@${HEAD} › Additional Tools (Via CLI)`,
    argv: [
      '-type',
      'vm:create',
      '-name',
      'my-vm',
      '-tools',
      'go,python,rust',
      '-tool-versions',
      'go:1.23.0,python:3.11',
    ],
  },
  deleteVm: {
    source: `docs/README.md@${HEAD} › Common Tasks › Delete a VM`,
    argv: ['-type', 'vm:delete', '-vm-id', '$VM_ID'],
  },
} as const satisfies Record<string, DocumentedCall>;
