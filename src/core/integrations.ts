/**
 * What the gateway knows of integrations (GitHub, Slack): a webhook goes in as raw bytes with its
 * headers, an answer comes out. The integrations themselves live in `src/integrations`, wired by
 * the runtime; the gateway sees only this contract.
 */

/** One incoming webhook request, before anything of it is trusted. */
export interface WebhookRequest {
  /** The `{integration}` of `POST /api/v1/webhooks/{integration}`. */
  integration: string;
  /** Header names lowercased, as Node gives them. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body exactly as sent: signatures are computed over these bytes. */
  rawBody: Buffer;
}

/** The answer to a verified webhook; refusals are thrown as AetherErrors instead. */
export interface WebhookAnswer {
  status: 200 | 202;
  /** Sent as JSON (Slack shows a slash command's JSON answer to the user). */
  body: Record<string, unknown>;
}

/** One integration's health, as `/api/v1/health` reports it: from memory, no call out. */
export interface IntegrationHealth {
  ok: boolean;
  message: string;
}

/** Receives webhooks for every enabled integration. */
export interface WebhookReceiver {
  /** Verifies, de-duplicates and accepts a webhook; ERR_WEBHOOK_UNVERIFIED / _REPLAYED otherwise. */
  receive(request: WebhookRequest): Promise<WebhookAnswer>;
  /** By integration name; empty when none is enabled. */
  health(): Record<string, IntegrationHealth>;
}
