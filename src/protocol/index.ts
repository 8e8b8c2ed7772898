export { AgentClient, type AgentClientOptions, type PongInfo } from './client.js';
export { type DecodedFrame, encodeFrame, FrameDecoder, FrameError } from './framing.js';
export * from './messages.js';
export { MessageError, parseAgentMessage, parseHostMessage } from './validate.js';
