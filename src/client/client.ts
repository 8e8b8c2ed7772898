import type {
  ApiErrorBody,
  CreateVmRequest,
  ExecuteRequest,
  Execution,
  Health,
  Job,
  StreamLine,
  Task,
  Vm,
  WorkerInfo,
  WriteAccepted,
} from './types.js';

/** An error answer from the gateway, or a gateway that could not be reached. */
export class AetherApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'AetherApiError';
  }
}

export interface ClientOptions {
  /** Gateway base URL, e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  /** Sent as a bearer token when set. */
  token?: string;
}

type Query = Record<string, string | number | boolean | undefined>;

/** Typed SDK for the REST API; used by the CLI, the tests and users. */
export class AetherClient {
  private readonly base: string;

  constructor(private readonly options: ClientOptions) {
    this.base = `${options.baseUrl.replace(/\/+$/, '')}/api/v1`;
  }

  createVm(body: CreateVmRequest, opts: { wait?: boolean } = {}) {
    return this.request<WriteAccepted & { vm: Vm; task?: Task }>('POST', '/vms', {
      body,
      query: { wait: opts.wait },
    });
  }

  async listVms(query: { status?: string; includeDeleted?: boolean } = {}): Promise<Vm[]> {
    const res = await this.request<{ vms: Vm[] }>('GET', '/vms', {
      query: { status: query.status, include_deleted: query.includeDeleted },
    });
    return res.vms;
  }

  getVm(idOrName: string) {
    return this.request<Vm>('GET', `/vms/${encodeURIComponent(idOrName)}`);
  }

  deleteVm(idOrName: string, opts: { wait?: boolean } = {}) {
    return this.request<WriteAccepted & { vm: Vm; task?: Task }>(
      'DELETE',
      `/vms/${encodeURIComponent(idOrName)}`,
      {
        query: { wait: opts.wait },
      },
    );
  }

  execute(idOrName: string, body: ExecuteRequest, opts: { wait?: boolean } = {}) {
    return this.request<WriteAccepted & { execution_id: string; execution?: Execution; task?: Task }>(
      'POST',
      `/vms/${encodeURIComponent(idOrName)}/execute`,
      { body, query: { wait: opts.wait } },
    );
  }

  /** Runs a command and yields its output lines as they happen, ending with `exit` or `error`. */
  async *executeStream(
    idOrName: string,
    body: ExecuteRequest,
    signal?: AbortSignal,
  ): AsyncGenerator<StreamLine> {
    const res = await this.fetch('POST', `/vms/${encodeURIComponent(idOrName)}/execute`, {
      body,
      query: { stream: true },
      signal,
    });
    if (!res.ok) throw await this.errorFrom(res);
    if (!res.body) return;
    const decoder = new TextDecoder();
    let buffered = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffered += decoder.decode(chunk, { stream: true });
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.trim()) yield JSON.parse(line) as StreamLine;
        newline = buffered.indexOf('\n');
      }
    }
  }

  async listExecutions(idOrName: string, limit?: number): Promise<Execution[]> {
    const res = await this.request<{ executions: Execution[] }>(
      'GET',
      `/vms/${encodeURIComponent(idOrName)}/executions`,
      {
        query: { limit },
      },
    );
    return res.executions;
  }

  getExecution(id: string) {
    return this.request<Execution>('GET', `/executions/${encodeURIComponent(id)}`);
  }

  async listWorkers(): Promise<WorkerInfo[]> {
    return (await this.request<{ workers: WorkerInfo[] }>('GET', '/workers')).workers;
  }

  getTask(id: string) {
    return this.request<Task>('GET', `/tasks/${encodeURIComponent(id)}`);
  }

  runJob(
    idOrName: string,
    body: { name: string; steps: Omit<ExecuteRequest, 'stdin' | 'priority'>[] },
    opts: { wait?: boolean } = {},
  ) {
    return this.request<WriteAccepted & { job: Job }>('POST', `/vms/${encodeURIComponent(idOrName)}/jobs`, {
      body,
      query: { wait: opts.wait },
    });
  }

  getJob(id: string) {
    return this.request<Job>('GET', `/jobs/${encodeURIComponent(id)}`);
  }

  /** Health answers 503 with a body when degraded; both are returned, not thrown. */
  async health(): Promise<Health> {
    const res = await this.fetch('GET', '/health', {});
    if (res.status === 200 || res.status === 503) return (await res.json()) as Health;
    throw await this.errorFrom(res);
  }

  async request<T>(method: string, path: string, init: { body?: unknown; query?: Query } = {}): Promise<T> {
    const res = await this.fetch(method, path, init);
    if (!res.ok) throw await this.errorFrom(res);
    return (await res.json()) as T;
  }

  private async fetch(
    method: string,
    path: string,
    init: { body?: unknown; query?: Query; signal?: AbortSignal | undefined },
  ): Promise<Response> {
    const url = new URL(this.base + path);
    for (const [key, value] of Object.entries(init.query ?? {})) {
      if (value !== undefined && value !== false) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = {};
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    try {
      return await fetch(url, {
        method,
        headers,
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
        ...(init.signal ? { signal: init.signal } : {}),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause;
      throw new AetherApiError(
        0,
        'ERR_GATEWAY_UNREACHABLE',
        `cannot reach the gateway at ${this.options.baseUrl} (${cause?.code ?? (error as Error).message}); is \`aether up\` running? Set AETHER_URL to point elsewhere.`,
      );
    }
  }

  private async errorFrom(res: Response): Promise<AetherApiError> {
    const text = await res.text();
    try {
      const parsed = JSON.parse(text) as { error?: ApiErrorBody };
      if (parsed.error?.code)
        return new AetherApiError(res.status, parsed.error.code, parsed.error.message, parsed);
    } catch {
      // Not our JSON: fall through to a generic error.
    }
    return new AetherApiError(res.status, 'ERR_HTTP', `HTTP ${res.status}: ${text.slice(0, 200)}`);
  }
}
