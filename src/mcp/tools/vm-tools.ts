/** Tools over a VM's life: create_vm, list_vms, delete_vm. */
import { randomBytes } from 'node:crypto';
import { AetherApiError, type AetherClient, type Vm } from '@aetherium/sdk';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { parseDurationSeconds } from '../../core/duration.js';
import { TOOL_NAMES } from '../../core/tool-catalog.js';
import { VM_LIMITS } from '../../core/vm.js';
import { MAX_VM_LABELS } from '../../core/vm-labels.js';
import { MAX_VM_LIFETIME_SECONDS } from '../../core/vm-lifetime.js';
import { answering, toolAnswer, toolError } from '../tool-answer.js';
import { durationInput, vmReference } from './fields.js';

const labels = z
  .record(z.string().max(63), z.string().max(63))
  .refine((value) => Object.keys(value).length <= MAX_VM_LABELS, `at most ${MAX_VM_LABELS} labels`);

/** What the tools say of a VM: enough to find it again and to know what it is. */
const vmSummary = {
  id: z.string(),
  name: z.string(),
  status: z.string(),
  driver: z.string(),
  vcpus: z.number(),
  memory_mib: z.number(),
  network: z.boolean(),
  labels: z.record(z.string(), z.string()),
  expires_at: z.string().nullable(),
};
type VmSummary = z.infer<z.ZodObject<typeof vmSummary>>;

function summaryOf(vm: Vm): VmSummary {
  return {
    id: vm.id,
    name: vm.name,
    status: vm.status,
    driver: vm.driver,
    vcpus: vm.vcpus,
    memory_mib: vm.memory_mib,
    network: vm.network,
    labels: vm.labels,
    expires_at: vm.expires_at,
  };
}

function describeVm(vm: VmSummary): string {
  const shape = `${vm.vcpus} vCPU, ${vm.memory_mib} MiB, ${vm.network ? 'network' : 'no network'}`;
  return `${vm.name} (id ${vm.id}): ${vm.status}, driver ${vm.driver}, ${shape}${vm.expires_at ? `, expires ${vm.expires_at}` : ''}`;
}

/** A name when none is given: VM names are unique per project. */
function generatedName(): string {
  return `mcp-${randomBytes(4).toString('hex')}`;
}

export function registerVmTools(server: McpServer, client: AetherClient): void {
  server.registerTool(
    'create_vm',
    {
      title: 'Create a VM',
      description:
        'Create an isolated VM (a sandbox for running untrusted code) and wait until it is running. Returns its id and name: pass either as `vm` to the other tools. Delete it with delete_vm when done.',
      inputSchema: {
        name: z
          .string()
          .min(1)
          .max(VM_LIMITS.nameMaxLength)
          .optional()
          .describe(
            'A name to find it by: 1-63 lowercase letters, digits or dashes, unique in the project. Default: a generated one',
          ),
        driver: z
          .string()
          .max(32)
          .optional()
          .describe(
            "What isolates it: `process` (namespaces), `docker`, `firecracker` or `qemu` (microVMs), as the server offers. Default: the server's",
          ),
        vcpus: z.number().int().min(VM_LIMITS.vcpusMin).max(VM_LIMITS.vcpusMax).optional(),
        memory_mib: z.number().int().min(VM_LIMITS.memoryMiBMin).max(VM_LIMITS.memoryMiBMax).optional(),
        network: z
          .boolean()
          .optional()
          .describe(
            'Outbound network access (e.g. to install packages); default false; not every driver has it',
          ),
        tools: z
          .array(z.string().max(32))
          .max(TOOL_NAMES.length)
          .optional()
          .describe(`Tools to install besides the default set: ${TOOL_NAMES.join(', ')}`),
        labels: labels
          .optional()
          .describe('Key=value pairs to find the VM by later (list_vms); keys are lowercase'),
        ttl: durationInput(MAX_VM_LIFETIME_SECONDS)
          .optional()
          .describe(
            "Lifetime: seconds, or a duration such as `30m`, `2h`, `1d`; when it runs out the VM is stopped or deleted (the server's setting). Default: the server's",
          ),
      },
      outputSchema: vmSummary,
    },
    answering(async (args) => {
      const name = args.name ?? generatedName();
      const ttlSeconds = typeof args.ttl === 'string' ? parseDurationSeconds(args.ttl, 'ttl') : args.ttl;
      try {
        const created = await client.createVm(
          {
            name,
            ...(args.driver !== undefined ? { driver: args.driver } : {}),
            ...(args.vcpus !== undefined ? { vcpus: args.vcpus } : {}),
            ...(args.memory_mib !== undefined ? { memory_mib: args.memory_mib } : {}),
            ...(args.network !== undefined ? { network: args.network } : {}),
            ...(args.tools !== undefined ? { additional_tools: args.tools } : {}),
            ...(args.labels !== undefined ? { labels: args.labels } : {}),
            ...(ttlSeconds !== undefined ? { ttl_seconds: ttlSeconds } : {}),
          },
          { wait: true },
        );
        const vm = summaryOf(created.vm);
        return toolAnswer(vm, describeVm(vm));
      } catch (error) {
        return toolError(error, leftBehind(error));
      }
    }),
  );

  server.registerTool(
    'list_vms',
    {
      title: 'List VMs',
      description:
        "List the VMs of this API key's project (deleted ones left out), optionally only those with every label given.",
      inputSchema: {
        labels: labels.optional().describe('Only VMs that have every one of these key=value labels'),
      },
      outputSchema: { vms: z.array(z.object(vmSummary)) },
      annotations: { readOnlyHint: true },
    },
    answering(async (args) => {
      const selectors = Object.entries(args.labels ?? {}).map(([key, value]) => `${key}=${value}`);
      const vms = (await client.listVms(selectors.length > 0 ? { labels: selectors } : {})).map(summaryOf);
      const text = vms.length === 0 ? 'no VMs' : vms.map(describeVm).join('\n');
      return toolAnswer({ vms }, text);
    }),
  );

  server.registerTool(
    'delete_vm',
    {
      title: 'Delete a VM',
      description: 'Delete a VM and everything in it, and wait until it is gone.',
      inputSchema: { vm: vmReference },
      outputSchema: { id: z.string(), name: z.string(), status: z.string() },
      annotations: { destructiveHint: true, idempotentHint: true },
    },
    answering(async (args) => {
      const deleted = await client.deleteVm(args.vm, { wait: true });
      const { id, name, status } = deleted.vm;
      return toolAnswer({ id, name, status }, `${name} (id ${id}): ${status}`);
    }),
  );
}

/** A create that failed after the VM was recorded leaves it failed: say so, and how to remove it. */
function leftBehind(error: unknown): string | undefined {
  if (!(error instanceof AetherApiError)) return undefined;
  const vm = (error.body as { vm?: { id?: unknown; status?: unknown } } | undefined)?.vm;
  if (typeof vm?.id !== 'string') return undefined;
  return `VM ${vm.id} was left ${String(vm.status)}; delete_vm removes it`;
}
