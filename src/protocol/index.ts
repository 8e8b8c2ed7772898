export { AgentClient, type AgentClientOptions, type ClockInfo, type PongInfo } from './client.js';
export {
  type DecodedEvent,
  type DecodedFrame,
  type DiscardEvent,
  type DiscardReason,
  encodeFrame,
  encodeSync,
  FrameDecoder,
  type FrameDecoderOptions,
  FrameError,
  SYNC_NONCE_BYTES,
  type SyncEvent,
} from './framing.js';
export * from './messages.js';
export { MessageError, parseAgentMessage, parseHostMessage } from './validate.js';
