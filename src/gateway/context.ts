import type { Registry } from 'prom-client';
import type { WebhookReceiver } from '../core/integrations.js';
import type { Logger } from '../core/logger.js';
import type { LogReader } from '../core/logs.js';
import type { DriverInfo } from '../core/vm.js';
import type { HttpMetrics } from '../metrics/http-metrics.js';
import type { ApiKeyService } from '../service/api-keys.js';
import type { DataService } from '../service/data-service.js';
import type { WebhookService } from '../service/outbound/webhook-service.js';
import type { ExecutionOutputService } from '../service/output/execution-output-service.js';
import type { PortService } from '../service/port-service.js';
import type { Services } from '../service/services.js';
import type { TerminalService } from '../service/terminal-service.js';
import type { Authenticator } from './auth/authenticate.js';
import type { SecuritySettings } from './security.js';

export interface ComponentHealth {
  ok: boolean;
  message: string;
  latency_ms?: number;
}

/** Whether this gateway can do its work: store, queue, event bus, and a worker to run it. */
export interface ReadinessReport {
  ok: boolean;
  components: Record<string, ComponentHealth>;
}

/** What the gateway exports at `/metrics`; in `aether up` the registry holds the worker's too. */
export interface GatewayMetrics {
  registry: Registry;
  http: HttpMetrics;
}

export interface GatewayDeps {
  services: Services;
  apiKeys: ApiKeyService;
  /** How callers are identified (API keys, JWTs, or nobody-needs-to with auth off). */
  auth: Authenticator;
  /** Execution output, stored then live, for the stream routes. */
  output: ExecutionOutputService;
  /** Checks every component, for `/ready`. */
  readiness: () => Promise<ReadinessReport>;
  /**
   * What `/health` reports: readiness's components, each checked within a short time, plus those
   * no request needs (Loki); absent, `/health` reports `readiness`. Never decides its status code.
   */
  health?: () => Promise<ReadinessReport>;
  /** Absent: no `/metrics` route and no request series. */
  metrics?: GatewayMetrics;
  /** Answers `POST /logs/query` and `GET /logs/stream`; absent, they answer ERR_UNSUPPORTED. */
  logs?: LogReader;
  /** Files, stdin and signals through the data plane; absent, those routes answer ERR_UNSUPPORTED. */
  data?: DataService;
  /**
   * Connections to ports inside VMs, for the HTTP and WebSocket proxy and preview URLs; absent,
   * those answer ERR_UNSUPPORTED.
   */
  ports?: PortConnector;
  /** Terminal sessions in VMs; absent, their routes answer ERR_UNSUPPORTED. */
  terminals?: TerminalService;
  /** Outbound webhook subscriptions; absent, their routes answer ERR_UNSUPPORTED. */
  outboundWebhooks?: WebhookService;
  /** GitHub and Slack webhooks; absent, every webhook answers 401 (no integration to verify it). */
  webhooks?: WebhookReceiver;
  logger: Logger;
  version: string;
  /** Aborted when the gateway starts closing: long waits end instead of holding the close up. */
  closing?: AbortSignal;
}

/** What the proxy needs of the port service (a fake in tests). */
export type PortConnector = Pick<PortService, 'connect' | 'connectTo'>;

/** Where preview URLs point (see docs/ports.md). */
export interface PreviewSettings {
  /** The gateway's public base URL (`https://aether.example.com`); absent: each request's own. */
  publicUrl?: string;
  /** Serve previews on `<port>-<vm id>.<domain>` hosts instead of the `/preview/<token>/` path. */
  domain?: string;
}

export interface GatewaySettings {
  bodyLimitBytes: number;
  /** Longest a client may take to send its request (headers and body). */
  requestTimeoutMs: number;
  security: SecuritySettings;
  /** Longest a `?wait=true` request may block. */
  maxWaitMs: number;
  /** The drivers of this build: the OpenAPI document lists them (DriverName) with their features. */
  drivers: readonly DriverInfo[];
  /** Where preview URLs point; default the request's own host, path-prefix form. */
  previews?: PreviewSettings;
  /**
   * The built web dashboard (its index.html and assets/), served at `/`; absent, no dashboard
   * routes. A folder without a build answers 404 saying to build it.
   */
  dashboardDir?: string;
}
