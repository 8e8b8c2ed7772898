import { z } from 'zod';
import { isUuid } from '../core/ids.js';
import { TASK_PRIORITIES } from '../core/task.js';
import { isToolName, TOOL_NAMES } from '../core/tool-catalog.js';
import { TOOL_VERSION_PATTERN } from '../core/tools.js';
import {
  IMAGE_REFERENCE_PATTERN,
  VM_LIMITS,
  VM_NAME_NOT_AN_ID,
  VM_NAME_PATTERN,
  VM_NAME_RULE,
} from '../core/vm.js';
import { LABEL_KEY_RULE, LABEL_VALUE_RULE, MAX_VM_LABELS, vmLabelsProblem } from '../core/vm-labels.js';
import { MAX_VM_LIFETIME_SECONDS, VM_EXPIRY_ACTIONS } from '../core/vm-lifetime.js';
import { VM_RESTART_LIMITS, VM_RESTART_POLICIES } from '../core/vm-restart.js';
import { driverName } from './fields.js';

/** What callers send: one schema validates a request and documents it in the OpenAPI output. */

const safeText = (what: string, max: number) =>
  z
    .string()
    .max(max)
    .refine((v) => !v.includes('\0'), `${what} must not contain NUL bytes`);

const DAY_MS = 24 * 60 * 60_000;

export const taskOptionsFields = {
  priority: z.enum(TASK_PRIORITIES).optional().describe('Queue priority; default `default`'),
  timeout_ms: z.number().int().min(1).max(DAY_MS).optional().describe('Time limit for the task in ms'),
};

const toolName = z
  .string()
  .refine(isToolName, `must be a known tool: ${TOOL_NAMES.join(', ')}`)
  .describe('A tool of the catalog');

const toolVersion = z
  .string()
  .regex(TOOL_VERSION_PATTERN, 'must be dotted numbers such as 1.23.0 or 20')
  .describe('A version, or a prefix of one at a dot (`20` is met by 20.19.1)');

/** Seconds of a lifetime or idle timeout, from `min`; the message says the range. */
const lifetimeSeconds = (min: number) =>
  z
    .number()
    .int('must be a whole number of seconds')
    .min(min, `must be at least ${min} second${min === 1 ? '' : 's'}${min === 0 ? ' (0 means none)' : ''}`)
    .max(MAX_VM_LIFETIME_SECONDS, `must be at most ${MAX_VM_LIFETIME_SECONDS} seconds (a year)`);

const vmLabels = z
  .record(z.string(), z.string())
  .superRefine((labels, ctx) => {
    // A record's own key check would only say "Invalid key": name the label and the rule.
    const problem = vmLabelsProblem(labels);
    if (problem === null) return;
    const bad = Object.entries(labels).find(([key, value]) => vmLabelsProblem({ [key]: value }) !== null);
    ctx.addIssue({ code: 'custom', path: bad ? [bad[0]] : [], message: problem });
  })
  .describe(
    `Key=value pairs to find the VM by (\`vm ls --label\`); at most ${MAX_VM_LABELS}. ${LABEL_KEY_RULE}; ${LABEL_VALUE_RULE}`,
  );

const { maxMin, maxMax, maxDefault } = VM_RESTART_LIMITS;

// Bodies are strict: an unknown field (a typo, or `project`, `privileged`...) is an error, never ignored.
export const createVmBody = z.strictObject({
  name: z
    .string()
    .regex(VM_NAME_PATTERN, VM_NAME_RULE)
    .refine((name) => !isUuid(name), VM_NAME_NOT_AN_ID),
  driver: driverName.optional(),
  vcpus: z.number().int().min(VM_LIMITS.vcpusMin).max(VM_LIMITS.vcpusMax).optional(),
  memory_mib: z.number().int().min(VM_LIMITS.memoryMiBMin).max(VM_LIMITS.memoryMiBMax).optional(),
  image: z
    .string()
    .regex(IMAGE_REFERENCE_PATTERN, 'must be a Docker image reference such as aetherium/guest:latest')
    .refine((v) => !v.includes('..'), 'must not contain ..')
    .optional()
    .describe('Guest image (a Docker reference); only on drivers with the `image` feature (see DriverName)'),
  network: z
    .boolean()
    .optional()
    .describe(
      'Outbound network access; default false (loopback only); only on drivers with the `network` feature (see DriverName)',
    ),
  metadata: z.record(z.string().max(128), z.unknown()).optional(),
  labels: vmLabels.optional(),
  from_snapshot: z
    .uuid()
    .optional()
    .describe(
      "Start from this ready snapshot instead of booting: the VM takes the snapshot's driver, shape, image and network, on the worker holding it",
    ),
  additional_tools: z
    .array(toolName)
    .max(TOOL_NAMES.length)
    .optional()
    .describe(
      'Tools to have besides the default set; the create fails (ERR_TOOL_UNAVAILABLE, ERR_TOOL_NEEDS_NETWORK) when one cannot be had',
    ),
  tool_versions: z
    .record(z.string().max(32), toolVersion)
    .superRefine((versions, ctx) => {
      // A record's key refinement would only say "Invalid key": name the tool and the choices.
      for (const name of Object.keys(versions)) {
        if (!isToolName(name)) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: `must be a known tool: ${TOOL_NAMES.join(', ')}`,
          });
        }
      }
    })
    .optional()
    .describe('Versions asked for, by tool (`{"go": "1.23.0"}`); a tool named here is required too'),
  ttl_seconds: lifetimeSeconds(0)
    .optional()
    .describe(
      "Lifetime in seconds from the create; when it runs out the VM is stopped or deleted (`on_expiry`). 0: none. Default: the server's (none unless configured)",
    ),
  idle_timeout_seconds: lifetimeSeconds(0)
    .optional()
    .describe(
      "Seconds without a command running after which the VM is stopped or deleted (`on_expiry`); a running command holds it off and its end restarts it. 0: none. Default: the server's (none unless configured)",
    ),
  on_expiry: z
    .enum(VM_EXPIRY_ACTIONS, { error: `must be ${VM_EXPIRY_ACTIONS.join(' or ')}` })
    .optional()
    .describe(
      "What a VM past its lifetime or idle timeout becomes: `stop` (files kept; start it again) or `delete`. Default: the server's (`stop` unless configured)",
    ),
  restart_policy: z
    .enum(VM_RESTART_POLICIES, { error: `must be ${VM_RESTART_POLICIES.join(' or ')}` })
    .optional()
    .describe(
      'What a death found by the health check leads to: `never` (default; the VM becomes `failed`) or `on-failure` (the VM is restarted in place, its files kept, up to `restart_max` times; then it fails)',
    ),
  restart_max: z
    .number()
    .int('must be a whole number of restarts')
    .min(maxMin, `must be at least ${maxMin}`)
    .max(maxMax, `must be at most ${maxMax}`)
    .optional()
    .describe(
      `Restarts \`on-failure\` allows, ${maxMin} to ${maxMax}; only with it. Default ${maxDefault}. The count is never reset, not by a stop and start either`,
    ),
  ...taskOptionsFields,
});

export const extendVmBody = z.strictObject({
  ttl_seconds: lifetimeSeconds(1).describe(
    'Seconds to add to the lifetime deadline (to now, when the deadline has passed but the VM has not ended yet)',
  ),
});

const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,255}$/, 'environment names are letters, digits and _');

export const execSpecFields = {
  command: safeText('command', 4096).min(1, 'command must not be empty'),
  args: z.array(safeText('args', 131_072)).max(4096).optional(),
  env: z.record(envName, safeText('env values', 131_072)).optional(),
  cwd: safeText('cwd', 4096).startsWith('/', 'cwd must be an absolute path inside the VM').optional(),
  timeout_ms: z.number().int().min(1).max(DAY_MS).optional().describe('Kill the command after this many ms'),
};

export const executeBody = z
  .strictObject({
    ...execSpecFields,
    timeout_ms: z
      .number()
      .int()
      .min(0)
      .max(DAY_MS)
      .optional()
      .describe(
        'Kill the command after this many ms; 0: no limit of its own, which is the longest a command may run (24 h), and its task waits as long',
      ),
    stdin: z
      .string()
      .max(8 * 1024 * 1024)
      .optional()
      .describe('UTF-8 text written to stdin, then closed'),
    stdin_stream: z
      .boolean()
      .optional()
      .describe(
        "Stdin is streamed to the command while it runs, through the execution's stdin endpoint; default false. Until a sender attaches, the command sees an open stdin with nothing on it, up to its time limit (as with `docker exec -i` and nothing attached). Not with `stdin`",
      ),
    retry_safe: z
      .boolean()
      .optional()
      .describe(
        'The command may run again if its worker dies mid-run; otherwise such a run ends with outcome `unknown`',
      ),
    priority: taskOptionsFields.priority,
  })
  .refine((body) => !(body.stdin_stream && body.stdin !== undefined), {
    message:
      'stdin and stdin_stream exclude each other: send text in `stdin`, or stream it with `stdin_stream`',
    path: ['stdin_stream'],
  });

export const jobBody = z.strictObject({
  name: z.string().min(1).max(200),
  steps: z.array(z.strictObject(execSpecFields)).min(1).max(100),
  priority: taskOptionsFields.priority,
});

/** A query flag: `?wait`, `?wait=true` and `?wait=1` mean yes. A request schema, so it may transform. */
export const booleanFlag = z
  .enum(['true', 'false', '1', '0', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1' || v === '');

export const writeQuery = z.object({
  wait: booleanFlag.describe('Answer when the task ends, with its outcome'),
  stream: booleanFlag.describe('Execute only: answer with NDJSON lines as the command runs'),
  wait_timeout_ms: z.coerce.number().int().min(1).max(DAY_MS).optional(),
});

export const pauseVmQuery = writeQuery.extend({
  hibernate: booleanFlag.describe(
    "Save the VM's memory to disk and end its VMM, so a paused VM holds no RAM (qemu, firecracker)",
  ),
});

export const idParams = z.object({
  id: z
    .string()
    .min(1)
    .max(128)
    // Ids are uuids and names are DNS labels: nothing else can match, so nothing else is looked up.
    .regex(/^[A-Za-z0-9._-]+$/, 'ids and names are letters, digits, dot, dash or underscore')
    .describe('An id, or a VM name'),
});

export const workerParams = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'worker ids are 1-64 letters, digits, dot, dash or underscore'),
});

export const listVmsQuery = z.object({
  status: z.string().optional().describe('Comma-separated statuses'),
  include_deleted: booleanFlag,
  label: z
    .union([z.string(), z.array(z.string()).max(MAX_VM_LABELS)])
    .optional()
    .describe('`key=value`; repeat it for VMs that have every one of these labels'),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

export const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).optional() });
