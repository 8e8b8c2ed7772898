import type { z } from 'zod';
import type { WebhookOutcome, webhookReceiptSchema } from '../api/integrations.js';
import { AetherError } from '../core/errors.js';
import type { WebhookAnswer, WebhookRequest } from '../core/integrations.js';

/** Inbound webhooks kept per integration: enough to see what a sender did lately, no more. */
export const RECEIPTS_PER_INTEGRATION = 50;

/** One inbound webhook as this gateway answered it. */
export interface WebhookReceipt {
  id: string | null;
  event: string | null;
  outcome: WebhookOutcome;
  status: number;
  code: string | null;
  at: Date;
}

/**
 * Where senders name a delivery and its event. Only GitHub does; a Slack request carries
 * neither, so its receipts have nulls there.
 */
const ID_HEADERS = ['x-github-delivery'];
const EVENT_HEADERS = ['x-github-event'];
/** Header values are the sender's (or a forger's): only short plain tokens are kept. */
const PLAIN_TOKEN = /^[A-Za-z0-9._:-]{1,128}$/;

function headerToken(headers: WebhookRequest['headers'], names: readonly string[]): string | null {
  for (const name of names) {
    const value = headers[name];
    if (typeof value === 'string' && PLAIN_TOKEN.test(value)) return value;
  }
  return null;
}

/** Integrations answer a delivery they take but act on with an `action` of `ignored: …`. */
function answerOutcome(answer: WebhookAnswer): WebhookOutcome {
  const { action } = answer.body;
  return typeof action === 'string' && action.startsWith('ignored') ? 'ignored' : 'accepted';
}

/**
 * The latest inbound webhooks of each integration, newest first, in this process's memory only
 * (a restart forgets them; each gateway of a cluster has its own). Bounded per integration; the
 * webhook route records only enabled integrations, so requests to made-up names cannot grow it.
 */
export class WebhookReceipts {
  readonly #byIntegration = new Map<string, WebhookReceipt[]>();

  constructor(
    private readonly perIntegration = RECEIPTS_PER_INTEGRATION,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Records how `request` was answered: with `answer`, or refused with `error`. */
  record(request: WebhookRequest, result: { answer: WebhookAnswer } | { error: unknown }): void {
    const known = error(result);
    const receipt: WebhookReceipt = {
      id: headerToken(request.headers, ID_HEADERS),
      event: headerToken(request.headers, EVENT_HEADERS),
      ...('answer' in result
        ? { outcome: answerOutcome(result.answer), status: result.answer.status, code: null }
        : {
            outcome: known?.code === 'ERR_WEBHOOK_REPLAYED' ? 'replayed' : 'refused',
            status: known?.status ?? 500,
            code: known?.code ?? 'ERR_INTERNAL',
          }),
      at: this.now(),
    };
    const list = this.#byIntegration.get(request.integration) ?? [];
    list.unshift(receipt);
    list.length = Math.min(list.length, this.perIntegration);
    this.#byIntegration.set(request.integration, list);
  }

  /** Newest first; empty for an integration that got none. */
  list(integration: string): readonly WebhookReceipt[] {
    return this.#byIntegration.get(integration) ?? [];
  }
}

function error(result: { answer: WebhookAnswer } | { error: unknown }): AetherError | null {
  return 'error' in result && result.error instanceof AetherError ? result.error : null;
}

export function webhookReceiptJson(receipt: WebhookReceipt): z.output<typeof webhookReceiptSchema> {
  return {
    id: receipt.id,
    event: receipt.event,
    outcome: receipt.outcome,
    status: receipt.status,
    code: receipt.code,
    at: receipt.at.toISOString(),
  };
}
