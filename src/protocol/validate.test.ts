import { describe, expect, it } from 'vitest';
import { MessageError, parseAgentMessage, parseHostMessage } from './validate.js';

function rejection(fn: () => unknown): MessageError {
  try {
    fn();
  } catch (error) {
    if (error instanceof MessageError) return error;
    throw error;
  }
  throw new Error('expected a MessageError');
}

describe('parseHostMessage (agent side)', () => {
  it('reads a data chunk from base64 (a serial line) as the same bytes a binary frame carries', () => {
    expect(parseHostMessage({ type: 'data', id: 'd', data: 'aGk=' })).toEqual({
      type: 'data',
      id: 'd',
      data: Buffer.from('hi'),
    });
    expect(parseAgentMessage({ type: 'data', id: 'd', data: '', end: true })).toEqual({
      type: 'data',
      id: 'd',
      data: Buffer.alloc(0),
      end: true,
    });
  });

  it('accepts every well-formed request', () => {
    const exec = {
      type: 'exec',
      id: 'a',
      argv: ['ls', '-l'],
      env: { A: '1' },
      cwd: '/tmp',
      stdin: 'aGk=',
      timeoutMs: 1000,
    };
    expect(parseHostMessage(exec)).toEqual(exec);
    expect(parseHostMessage({ type: 'signal', id: 'a', signal: 'SIGTERM' })).toEqual({
      type: 'signal',
      id: 'a',
      signal: 'SIGTERM',
    });
    expect(parseHostMessage({ type: 'ping', id: 'p' })).toEqual({ type: 'ping', id: 'p' });
    for (const message of [
      { type: 'exec', id: 's', argv: ['cat'], stdinStream: true, timeoutMs: 1000 },
      {
        type: 'exec',
        id: 't',
        argv: ['sh'],
        stdinStream: true,
        tty: { cols: 80, rows: 24 },
        timeoutMs: 1000,
      },
      { type: 'resize', id: 't', cols: 2000, rows: 1 },
      { type: 'connect', id: 'p', port: 65_535 },
      { type: 'data', id: 'd', data: Buffer.from('hi') },
      { type: 'data', id: 'd', data: Buffer.alloc(0), end: true },
      { type: 'credit', id: 'd', bytes: 65_536 },
      { type: 'write', id: 'w', path: 'x', mode: 0o600, mtimeMs: 1_700_000_000_000 },
      { type: 'read', id: 'r', path: '/etc/hostname' },
      { type: 'cancel', id: 'w' },
      { type: 'stat', id: 's', path: '..' },
      { type: 'list', id: 'l', path: '.', recursive: true },
      { type: 'mkdir', id: 'm', path: 'a/b', parents: true, mode: 0o700 },
      { type: 'remove', id: 'x', path: 'a', recursive: false },
      { type: 'rename', id: 'n', from: 'a', to: 'b' },
      { type: 'symlink', id: 'y', path: 'link', target: '../anywhere' },
      { type: 'chmod', id: 'c', path: 'ro', mode: 0o555 },
    ]) {
      expect(parseHostMessage(message)).toEqual(message);
    }
    expect(parseHostMessage({ type: 'clock', id: 'c', epochMs: 1_700_000_000_123 })).toEqual({
      type: 'clock',
      id: 'c',
      epochMs: 1_700_000_000_123,
    });
  });

  it('drops unknown fields instead of passing them on', () => {
    expect(parseHostMessage({ type: 'ping', id: 'p', extra: 1 })).toEqual({ type: 'ping', id: 'p' });
  });

  it.each([
    ['not an object', [1, 2]],
    ['missing id', { type: 'ping' }],
    ['overlong id', { type: 'ping', id: 'x'.repeat(65) }],
  ])('rejects %s without a request id', (_, value) => {
    expect(rejection(() => parseHostMessage(value)).requestId).toBeNull();
  });

  it.each([
    ['unknown type', { type: 'reboot', id: 'r' }],
    ['empty argv', { type: 'exec', id: 'r', argv: [], timeoutMs: 1 }],
    ['non-string argv', { type: 'exec', id: 'r', argv: ['ls', 1], timeoutMs: 1 }],
    ['NUL in argv', { type: 'exec', id: 'r', argv: ['ls\0x'], timeoutMs: 1 }],
    ['zero timeout', { type: 'exec', id: 'r', argv: ['ls'], timeoutMs: 0 }],
    ['fractional timeout', { type: 'exec', id: 'r', argv: ['ls'], timeoutMs: 1.5 }],
    ['env name with =', { type: 'exec', id: 'r', argv: ['ls'], env: { 'A=B': 'x' }, timeoutMs: 1 }],
    ['non-string env value', { type: 'exec', id: 'r', argv: ['ls'], env: { A: 1 }, timeoutMs: 1 }],
    ['bad base64 stdin', { type: 'exec', id: 'r', argv: ['ls'], stdin: 'not base64!', timeoutMs: 1 }],
    ['unknown signal', { type: 'signal', id: 'r', signal: 'SIGSTOP' }],
    ['empty path', { type: 'read', id: 'r', path: '' }],
    ['NUL in a path', { type: 'stat', id: 'r', path: 'a\0b' }],
    ['an overlong path', { type: 'write', id: 'r', path: 'a'.repeat(4097) }],
    ['NUL in a symlink target', { type: 'symlink', id: 'r', path: 'l', target: '/x\0' }],
    ['mode out of range', { type: 'write', id: 'r', path: 'x', mode: 0o10000 }],
    ['stdin both ways', { type: 'exec', id: 'r', argv: ['ls'], stdin: '', stdinStream: true, timeoutMs: 1 }],
    ['stdinStream false', { type: 'exec', id: 'r', argv: ['ls'], stdinStream: false, timeoutMs: 1 }],
    ['a mode beyond 0o7777', { type: 'chmod', id: 'r', path: 'x', mode: 0o10000 }],
    ['a data chunk over 256 KiB', { type: 'data', id: 'r', data: 'AAAA'.repeat(87_382) }],
    ['binary bytes over 256 KiB', { type: 'data', id: 'r', data: Buffer.alloc(256 * 1024 + 1) }],
    ['data with end false', { type: 'data', id: 'r', data: '', end: false }],
    ['zero credit', { type: 'credit', id: 'r', bytes: 0 }],
    ['recursive as a string', { type: 'list', id: 'r', path: '.', recursive: 'yes' }],
    ['rename without a target', { type: 'rename', id: 'r', from: 'a' }],
    ['clock without a time', { type: 'clock', id: 'r' }],
    ['clock with a fractional time', { type: 'clock', id: 'r', epochMs: 1.5 }],
    ['clock before the epoch', { type: 'clock', id: 'r', epochMs: -1 }],
    ['clock as a string', { type: 'clock', id: 'r', epochMs: '1700000000000' }],
    [
      'a terminal without streamed stdin',
      { type: 'exec', id: 'r', argv: ['sh'], tty: { cols: 80, rows: 24 }, timeoutMs: 1 },
    ],
    [
      'a terminal of no columns',
      { type: 'exec', id: 'r', argv: ['sh'], stdinStream: true, tty: { cols: 0, rows: 24 }, timeoutMs: 1 },
    ],
    [
      'a terminal as a string',
      { type: 'exec', id: 'r', argv: ['sh'], stdinStream: true, tty: '80x24', timeoutMs: 1 },
    ],
    ['a resize beyond the largest terminal', { type: 'resize', id: 'r', cols: 2001, rows: 24 }],
    ['a resize without rows', { type: 'resize', id: 'r', cols: 80 }],
    ['a connect to port 0', { type: 'connect', id: 'r', port: 0 }],
    ['a connect beyond port 65535', { type: 'connect', id: 'r', port: 65_536 }],
  ])('rejects %s with the request id', (_, value) => {
    const error = rejection(() => parseHostMessage(value));
    expect(error.code).toBe('ERR_AGENT_PROTOCOL');
    expect(error.requestId).toBe('r');
  });
});

describe('parseAgentMessage (host side: the agent is untrusted)', () => {
  it('accepts every well-formed reply', () => {
    for (const message of [
      { type: 'started', id: '1', pid: 42 },
      { type: 'out', id: '1', stream: 'stderr', data: 'aGk=' },
      { type: 'exit', id: '1', code: 0, signal: null, timedOut: false },
      { type: 'exit', id: '1', code: null, signal: 'SIGKILL', timedOut: true },
      { type: 'error', id: '1', code: 'ERR_EXEC_SPAWN_FAILED', message: 'spawn x ENOENT' },
      { type: 'pong', id: '1', version: 'aether-agent/2' },
      { type: 'ok', id: '1' },
      { type: 'ok', id: '1', beforeMs: 1_700_000_000_000, afterMs: 1_700_000_000_005 },
      { type: 'error', id: '1', code: 'ERR_UNSUPPORTED', message: 'not root' },
      { type: 'ok', id: '1', size: 12 },
      { type: 'data', id: '1', data: Buffer.from('hi'), end: true },
      { type: 'credit', id: '1', bytes: 1 },
      { type: 'entry', id: '1', entry: { name: 'f', type: 'file', size: 2, mode: 0o644, mtimeMs: 1.5 } },
      {
        type: 'entries',
        id: '1',
        entries: [{ name: 'a/l', type: 'symlink', size: 1, mode: 0o777, mtimeMs: 0, target: 'x' }],
        truncated: true,
      },
      { type: 'error', id: '1', code: 'ERR_VM_DISK_FULL', message: '/x: no space left on device' },
    ]) {
      expect(parseAgentMessage(message)).toEqual(message);
    }
  });

  it.each([
    [
      'an error code the agent may not send',
      { type: 'error', id: '1', code: 'ERR_VM_NOT_FOUND', message: 'x' },
    ],
    [
      'an exit with neither code nor signal',
      { type: 'exit', id: '1', code: null, signal: null, timedOut: false },
    ],
    ['an exit code above 255', { type: 'exit', id: '1', code: 256, signal: null, timedOut: false }],
    ['a bad stream name', { type: 'out', id: '1', stream: 'stdin', data: '' }],
    ['a negative pid', { type: 'started', id: '1', pid: -1 }],
    [
      'an overlong error message',
      { type: 'error', id: '1', code: 'ERR_INTERNAL', message: 'x'.repeat(20_000) },
    ],
    ['a host-only type', { type: 'exec', id: '1', argv: ['x'], timeoutMs: 1 }],
    ['a clock reply with a bad time', { type: 'ok', id: '1', beforeMs: 'now', afterMs: 1 }],
    [
      'an entry of an unknown type',
      { type: 'entry', id: '1', entry: { name: 'f', type: 'fifo', size: 0, mode: 0, mtimeMs: 0 } },
    ],
    [
      'an entry with mode bits beyond 0o7777',
      { type: 'entry', id: '1', entry: { name: 'f', type: 'file', size: 0, mode: 0o100644, mtimeMs: 0 } },
    ],
    [
      'an entry name with NUL',
      { type: 'entry', id: '1', entry: { name: 'a\0', type: 'file', size: 0, mode: 0, mtimeMs: 0 } },
    ],
    ['entries without truncated', { type: 'entries', id: '1', entries: [] }],
    ['an oversized data chunk', { type: 'data', id: '1', data: 'AAAA'.repeat(87_382) }],
    ['oversized binary bytes', { type: 'data', id: '1', data: Buffer.alloc(256 * 1024 + 1) }],
    ['a negative credit', { type: 'credit', id: '1', bytes: -5 }],
  ])('rejects %s', (_, value) => {
    expect(rejection(() => parseAgentMessage(value)).code).toBe('ERR_AGENT_PROTOCOL');
  });
});
