import type { AetherError } from '../core/errors.js';

interface Running {
  controller: AbortController;
  done: Promise<void>;
}

/**
 * The tasks this worker process runs right now, so that it can report how busy it is, wait for
 * them when it drains, and stop them when it must give up its work (drain deadline, lost lease).
 */
export class ActiveTasks {
  private readonly running = new Map<string, Running>();

  get size(): number {
    return this.running.size;
  }

  has(taskId: string): boolean {
    return this.running.has(taskId);
  }

  /** Runs `work` as task `taskId`; its signal aborts when `abortAll` is called. */
  async run<T>(taskId: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    let finish!: () => void;
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    this.running.set(taskId, { controller, done });
    try {
      return await work(controller.signal);
    } finally {
      this.running.delete(taskId);
      finish();
    }
  }

  /** Aborts every running task with `reason` (the processor sees it as its signal's reason). */
  abortAll(reason: AetherError): void {
    for (const { controller } of this.running.values()) controller.abort(reason);
  }

  /** Resolves true once nothing runs, or false when `timeoutMs` passes first. */
  async waitIdle(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.running.size > 0) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, left);
      });
      await Promise.race([Promise.all([...this.running.values()].map((r) => r.done)), timeout]);
      clearTimeout(timer);
    }
    return true;
  }
}
