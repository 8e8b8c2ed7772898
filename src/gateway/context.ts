import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { TaskService } from '../service/task-service.js';

export interface ComponentHealth {
  ok: boolean;
  message: string;
  latency_ms?: number;
}

export interface HealthReport {
  ok: boolean;
  components: Record<string, ComponentHealth>;
}

export interface GatewayDeps {
  service: TaskService;
  /** Live output for streamed executions. */
  events: EventBus;
  health: () => Promise<HealthReport>;
  logger: Logger;
  version: string;
  /** Aborted when the gateway starts closing: long waits end instead of holding the close up. */
  closing?: AbortSignal;
}

export interface GatewaySettings {
  bodyLimitBytes: number;
  /** Longest a `?wait=true` request may block. */
  maxWaitMs: number;
}
