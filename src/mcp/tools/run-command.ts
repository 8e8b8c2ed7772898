/** The run_command tool: a command in a VM, waited for (or started in the background). */
import { AetherApiError, type AetherClient, type ExecuteRequest, type Execution } from '@aetherium/sdk';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { cutMiddle } from '../text-limits.js';
import { answering, describeFailure, toolAnswer } from '../tool-answer.js';
import { vmReference } from './fields.js';

/** A waited-for command's default limit: most commands end well within it. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 120_000;
/** The longest a waited-for command may run: a tool call that blocks longer helps no one. */
export const MAX_COMMAND_TIMEOUT_MS = 600_000;
/** Characters of stdout and of stderr handed back, each. */
export const MAX_OUTPUT_CHARS = 50_000;

const inputSchema = {
  vm: vmReference,
  command: z
    .union([z.string().min(1).max(65_536), z.array(z.string().max(131_072)).min(1).max(4096)])
    .describe(
      'A shell command line, run by `sh -c` in the VM (pipes, &&, redirections work), or an argv list run as it is, without a shell: ["python3", "-c", "print(1)"]',
    ),
  cwd: z
    .string()
    .min(1)
    .max(4096)
    .optional()
    .describe("Absolute working directory inside the VM; default: the VM's home directory"),
  env: z
    .record(z.string().max(256), z.string().max(131_072))
    .optional()
    .describe('Environment variables added for the command'),
  timeout_ms: z
    .number()
    .int()
    .min(1)
    .max(
      MAX_COMMAND_TIMEOUT_MS,
      `at most ${MAX_COMMAND_TIMEOUT_MS} ms for a command waited for; start longer work with background: true`,
    )
    .optional()
    .describe(
      `Kill the command after this many milliseconds; default ${DEFAULT_COMMAND_TIMEOUT_MS}, at most ${MAX_COMMAND_TIMEOUT_MS}. In the background: no limit unless given`,
    ),
  background: z
    .boolean()
    .optional()
    .describe(
      'Start the command and return at once, without its output: for servers and other long-running processes (then port_url reaches a server). It runs until it exits or the VM is deleted',
    ),
};

const outputSchema = {
  execution_id: z.string(),
  outcome: z
    .string()
    .describe(
      '`exited`, `timed_out`, `signalled`, `failed` (could not start), …; `pending` or `running` in the background',
    ),
  exit_code: z.number().nullable(),
  signal: z.string().nullable(),
  duration_ms: z.number().nullable(),
  stdout: z.string(),
  stderr: z.string(),
  output_truncated: z.boolean().describe('Some of stdout or stderr is left out (the text says where)'),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
};
type CommandAnswer = z.infer<z.ZodObject<typeof outputSchema>>;

/** A shell line goes to the VM's `sh -c`; the host never runs a shell on it. */
function requestOf(args: z.infer<z.ZodObject<typeof inputSchema>>): ExecuteRequest {
  const [command, ...rest] = typeof args.command === 'string' ? ['sh', '-c', args.command] : args.command;
  const timeoutMs = args.timeout_ms ?? (args.background ? 0 : DEFAULT_COMMAND_TIMEOUT_MS);
  return {
    command: command!,
    args: rest,
    ...(args.cwd !== undefined ? { cwd: args.cwd } : {}),
    ...(args.env !== undefined ? { env: args.env } : {}),
    timeout_ms: timeoutMs,
  };
}

function answerOf(execution: Execution, error: { code: string; message: string } | null): CommandAnswer {
  const stdout = cutMiddle(execution.stdout, MAX_OUTPUT_CHARS);
  const stderr = cutMiddle(execution.stderr, MAX_OUTPUT_CHARS);
  return {
    execution_id: execution.id,
    outcome: execution.outcome,
    exit_code: execution.exit_code,
    signal: execution.signal,
    duration_ms: execution.duration_ms,
    stdout: stdout.text,
    stderr: stderr.text,
    output_truncated:
      stdout.omitted > 0 || stderr.omitted > 0 || execution.stdout_truncated || execution.stderr_truncated,
    error:
      error ?? (execution.error ? { code: execution.error.code, message: execution.error.message } : null),
  };
}

function textOf(answer: CommandAnswer, execution: Execution, timeoutMs: number | undefined): string {
  const how =
    answer.outcome === 'timed_out'
      ? `timed out after ${timeoutMs} ms and was killed`
      : answer.exit_code !== null
        ? `exit code ${answer.exit_code}`
        : answer.signal
          ? `ended by ${answer.signal}`
          : 'no exit code';
  const lines = [
    `${how} (${answer.outcome}${answer.duration_ms !== null ? `, ${answer.duration_ms} ms` : ''})`,
  ];
  if (answer.error) lines.push(`${answer.error.code}: ${answer.error.message}`);
  if (execution.stdout_truncated || execution.stderr_truncated) {
    lines.push('(the server kept only part of the output: it caps what it stores)');
  }
  lines.push('--- stdout ---', answer.stdout, '--- stderr ---', answer.stderr);
  return lines.join('\n');
}

/** A command whose task failed on the way (its worker lost, say) still has an execution: answer it. */
function executionOfFailure(error: unknown): Execution | undefined {
  if (!(error instanceof AetherApiError)) return undefined;
  return (error.body as { execution?: Execution } | undefined)?.execution;
}

export function registerRunCommand(server: McpServer, client: AetherClient): void {
  server.registerTool(
    'run_command',
    {
      title: 'Run a command in a VM',
      description:
        'Run a command in a VM and wait for it: answers its exit code, stdout and stderr (long output keeps its start and end). With `background: true` it starts the command and returns at once (for servers).',
      inputSchema,
      outputSchema,
      annotations: { destructiveHint: true },
    },
    answering(async (args) => {
      const request = requestOf(args);
      if (args.background) {
        const started = await client.execute(args.vm, request);
        const answer: CommandAnswer = {
          execution_id: started.execution_id,
          outcome: started.status === 'processing' ? 'running' : 'pending',
          exit_code: null,
          signal: null,
          duration_ms: null,
          stdout: '',
          stderr: '',
          output_truncated: false,
          error: null,
        };
        const limit = request.timeout_ms
          ? `killed after ${request.timeout_ms} ms`
          : 'no time limit of its own';
        return toolAnswer(answer, `started in the background: execution ${started.execution_id} (${limit})`);
      }
      try {
        const done = await client.execute(args.vm, request, { wait: true });
        if (!done.execution) throw new Error('the gateway answered without the execution');
        const answer = answerOf(done.execution, null);
        return toolAnswer(answer, textOf(answer, done.execution, request.timeout_ms));
      } catch (error) {
        const execution = executionOfFailure(error);
        if (!execution) throw error;
        const answer = answerOf(execution, describeFailure(error));
        return toolAnswer(answer, textOf(answer, execution, request.timeout_ms), { failed: true });
      }
    }),
  );
}
