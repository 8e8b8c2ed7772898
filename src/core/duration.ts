/** Durations as people write them: `90`, `90s`, `30m`, `2h`, `1d`, `1h30m`. */
import { AetherError } from './errors.js';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Whether `text` is a duration parseDurationSeconds accepts. */
export const DURATION_PATTERN = /^(?:\d{1,9}|(?:\d{1,9}[smhd])+)$/;

/** `text` as seconds; `what` names the field or flag in the message of ERR_VALIDATION. */
export function parseDurationSeconds(text: string, what: string): number {
  const trimmed = text.trim();
  if (/^\d{1,9}$/.test(trimmed)) return Number(trimmed);
  const parts = [...trimmed.matchAll(/(\d{1,9})([smhd])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed) {
    throw new AetherError(
      'ERR_VALIDATION',
      `${what}: use a duration such as 90s, 30m, 2h, 1d or 1h30m, not "${text}"`,
    );
  }
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * UNIT_SECONDS[unit!]!, 0);
}
