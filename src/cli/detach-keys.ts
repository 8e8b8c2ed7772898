/**
 * Docker's detach sequence, Ctrl-P then Ctrl-Q: typed on an attached terminal, it leaves the
 * session running and returns. A Ctrl-P not followed by Ctrl-Q goes through as typed, with the
 * byte after it (as in docker, Ctrl-P alone waits for the next key).
 */
const CTRL_P = 0x10;
const CTRL_Q = 0x11;

export class DetachKeys {
  private pendingCtrlP = false;

  /** The bytes to send on, and whether the detach sequence was typed (what follows it is dropped). */
  scan(input: Uint8Array): { forward: Uint8Array; detach: boolean } {
    const out: number[] = [];
    for (const byte of input) {
      if (this.pendingCtrlP) {
        this.pendingCtrlP = false;
        if (byte === CTRL_Q) return { forward: Uint8Array.from(out), detach: true };
        out.push(CTRL_P);
        if (byte === CTRL_P) {
          this.pendingCtrlP = true;
          continue;
        }
        out.push(byte);
        continue;
      }
      if (byte === CTRL_P) {
        this.pendingCtrlP = true;
        continue;
      }
      out.push(byte);
    }
    return { forward: Uint8Array.from(out), detach: false };
  }
}
