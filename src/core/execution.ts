import type { WireError } from './errors.js';

export interface ExecutionRecord {
  id: string;
  vmId: string;
  taskId: string | null;
  jobId: string | null;
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string | null;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  timedOut: boolean;
  error: WireError | null;
  startedAt: Date | null;
  completedAt: Date | null;
  durationMs: number | null;
  createdAt: Date;
}

export const JOB_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** A named list of commands run in one VM, in order; stops at the first failing step. */
export interface JobRecord {
  id: string;
  name: string;
  vmId: string;
  taskId: string | null;
  status: JobStatus;
  steps: JobStep[];
  results: JobStepResult[];
  createdAt: Date;
  updatedAt: Date;
}

export interface JobStep {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string | null;
  timeoutMs: number;
}

export interface JobStepResult {
  executionId: string;
  exitCode: number | null;
  error: WireError | null;
}
