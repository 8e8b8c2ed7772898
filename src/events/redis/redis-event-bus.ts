/**
 * Event bus across processes over Redis pub/sub: one channel per event name (`<prefix>:<event>`),
 * and for the events of an execution one channel per execution (`<prefix>:<event>:<execution id>`),
 * so that a process subscribes only to the executions it follows; subscribers of every execution
 * listen to the pattern `<prefix>:<event>:*`. JSON payloads, a publisher connection that fails
 * fast and a dedicated subscriber connection (a subscribed Redis connection can run no other
 * command). Pub/sub keeps nothing: an event published while a subscriber is disconnected is lost
 * for it, which the contract allows.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { AetherError } from '../../core/errors.js';
import {
  type EventMap,
  type EventName,
  type ExecutionEventName,
  isExecutionEvent,
  type Unsubscribe,
  withoutLocalRecords,
} from '../../core/events.js';
import { type Logger, silentLogger } from '../../core/logger.js';
import { type AwaitableEventBus, HandlerRegistry } from '../handlers.js';

export interface RedisEventBusOptions {
  /** `redis://[user:pass@]host:port[/db]`. */
  url: string;
  /** Channel namespace, so deployments sharing a Redis do not hear each other. Default `aether`. */
  prefix?: string;
  logger?: Logger;
  /** How long to wait for Redis at start-up (ms). Default 5 000. */
  connectTimeoutMs?: number;
}

async function connect(url: string, options: RedisOptions, timeoutMs: number): Promise<Redis> {
  const client = new Redis(url, { ...options, lazyConnect: true, connectTimeout: timeoutMs });
  // Reconnection errors are reported by ioredis as events; unhandled, they crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
    return client;
  } catch (error) {
    client.disconnect();
    throw new AetherError(
      'ERR_QUEUE_UNAVAILABLE',
      `cannot reach Redis for events: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

export async function createRedisEventBus(options: RedisEventBusOptions): Promise<AwaitableEventBus> {
  const prefix = options.prefix ?? 'aether';
  const logger = (options.logger ?? silentLogger).child({ component: 'events', events: 'redis' });
  const timeoutMs = options.connectTimeoutMs ?? 5000;
  // Publishing must not hang a request while Redis is away: no offline queue, one retry.
  const publisher = await connect(
    options.url,
    { enableOfflineQueue: false, maxRetriesPerRequest: 1 },
    timeoutMs,
  );
  let subscriber: Redis;
  try {
    subscriber = await connect(options.url, {}, timeoutMs);
  } catch (error) {
    publisher.disconnect();
    throw error;
  }

  const registry = new HandlerRegistry(logger);
  const channelPrefix = `${prefix}:`;
  const channelOf = (event: EventName) => `${channelPrefix}${event}`;
  const executionChannelOf = (event: ExecutionEventName, executionId: string) =>
    `${channelPrefix}${event}:${executionId}`;
  const everyExecutionOf = (event: ExecutionEventName) => `${globEscape(channelPrefix + event)}:*`;
  /** The latest SUBSCRIBE/UNSUBSCRIBE; Redis answers them in order, so it settles after all earlier ones. */
  let lastCommand: Promise<unknown> = Promise.resolve();
  let closed = false;

  /**
   * Hands a message to its handlers. A channel of one execution reaches both the subscribers of
   * that execution (as `message`) and those of every execution (as `pmessage`): each hears it once.
   */
  function deliver(channel: string, message: string, viaPattern: boolean): void {
    if (!channel.startsWith(channelPrefix)) return;
    const [event, executionId] = channel.slice(channelPrefix.length).split(':', 2) as [EventName, string?];
    let payload: unknown;
    try {
      payload = JSON.parse(message);
    } catch (error) {
      logger.warn({ err: error, channel }, 'dropped an event that is not JSON');
      return;
    }
    registry.dispatch(event, payload as EventMap[typeof event], viaPattern ? undefined : executionId);
  }
  subscriber.on('message', (channel: string, message: string) => deliver(channel, message, false));
  subscriber.on('pmessage', (_pattern: string, channel: string, message: string) =>
    deliver(channel, message, true),
  );

  function track(command: Promise<unknown>, what: string): void {
    lastCommand = command.catch((error: unknown) => logger.warn({ err: error }, `redis ${what} failed`));
  }

  /** Adds a handler; the first of its event and scope subscribes upstream, the last one leaving unsubscribes. */
  function listen<E extends EventName>(
    event: E,
    handler: (payload: EventMap[E]) => void,
    executionId: string | undefined,
    upstream: { on(): void; off(): void },
  ): Unsubscribe {
    if (closed) return () => {};
    if (registry.add(event, handler, executionId).first) upstream.on();
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      if (registry.remove(event, handler, executionId).last && !closed) upstream.off();
    };
  }

  return {
    async publish<E extends EventName>(event: E, payload: EventMap[E]): Promise<void> {
      if (closed) return;
      const channel = isExecutionEvent(event)
        ? executionChannelOf(event, (payload as EventMap[ExecutionEventName]).executionId)
        : channelOf(event);
      try {
        await publisher.publish(channel, JSON.stringify(withoutLocalRecords(payload)));
      } catch (error) {
        // Fire-and-forget: consumers re-read the store, so a lost event must not fail the caller.
        logger.warn({ err: error, event }, 'event not published');
      }
    },
    subscribe<E extends EventName>(event: E, handler: (payload: EventMap[E]) => void): Unsubscribe {
      // Every execution's events: their channels by pattern.
      if (isExecutionEvent(event)) {
        const pattern = everyExecutionOf(event);
        return listen(event, handler, undefined, {
          on: () => track(subscriber.psubscribe(pattern), 'PSUBSCRIBE'),
          off: () => track(subscriber.punsubscribe(pattern), 'PUNSUBSCRIBE'),
        });
      }
      const channel = channelOf(event);
      return listen(event, handler, undefined, {
        on: () => track(subscriber.subscribe(channel), 'SUBSCRIBE'),
        off: () => track(subscriber.unsubscribe(channel), 'UNSUBSCRIBE'),
      });
    },
    subscribeExecution<E extends ExecutionEventName>(
      event: E,
      executionId: string,
      handler: (payload: EventMap[E]) => void,
    ): Unsubscribe {
      const channel = executionChannelOf(event, executionId);
      return listen(event, handler, executionId, {
        on: () => track(subscriber.subscribe(channel), 'SUBSCRIBE'),
        off: () => track(subscriber.unsubscribe(channel), 'UNSUBSCRIBE'),
      });
    },
    async ready(): Promise<void> {
      await lastCommand;
    },
    async ping(): Promise<void> {
      if (closed) throw new AetherError('ERR_QUEUE_UNAVAILABLE', 'event bus is closed');
      // The subscriber cannot run commands while subscribed: its connection state says enough.
      if (subscriber.status !== 'ready') {
        throw new AetherError('ERR_QUEUE_UNAVAILABLE', `event subscriber is ${subscriber.status}`);
      }
      try {
        await publisher.ping();
      } catch (error) {
        throw new AetherError('ERR_QUEUE_UNAVAILABLE', `Redis for events: ${(error as Error).message}`, {
          cause: error,
        });
      }
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      registry.clear();
      await Promise.allSettled([publisher.quit(), subscriber.quit()]);
    },
  };
}

/** `text` matched literally in a Redis glob pattern (PSUBSCRIBE). */
function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
