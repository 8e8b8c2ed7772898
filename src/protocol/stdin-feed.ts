/**
 * Streamed stdin of one exec: the caller's iterable fed to the command with the agent's credit,
 * so a command that reads slowly slows the source. When the iterable ends, stdin is closed; when
 * it throws, stdin is closed too and the command decides what a short input means. The feed
 * stops when the exec settles.
 */
import type { Logger } from '../core/logger.js';
import type { HostMessage } from './messages.js';
import { StreamSender } from './stream-sender.js';

export class StdinFeed {
  private readonly sender: StreamSender;

  constructor(
    private readonly id: string,
    private readonly post: (message: HostMessage) => void,
    private readonly logger: Logger,
  ) {
    this.sender = new StreamSender(id, post);
  }

  start(source: AsyncIterable<Uint8Array>): void {
    this.sender.pump(source).catch((error: unknown) => {
      this.logger.debug({ err: (error as Error)?.message }, 'stdin source failed; closing the command stdin');
      if (this.sender.isStopped) return; // the exec is over: nobody reads stdin any more
      this.post({ type: 'data', id: this.id, data: new Uint8Array(0), end: true });
      this.sender.stop();
    });
  }

  grant(bytes: number): void {
    this.sender.grant(bytes);
  }

  stop(): void {
    this.sender.stop();
  }
}
