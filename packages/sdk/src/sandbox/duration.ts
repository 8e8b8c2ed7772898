import { apiErrorOf } from '../errors.js';

/** A length of time: seconds as a number, or a string such as `90s`, `30m`, `2h`, `1d`. */
export type Duration = number | `${number}${'s' | 'm' | 'h' | 'd'}`;

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Whole seconds; a bad value is a ValidationError naming the option, before any request. */
export function durationSeconds(value: Duration, option: string): number {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0) return value;
  } else {
    const match = /^(\d+)([smhd])$/.exec(value);
    if (match) return Number(match[1]) * UNIT_SECONDS[match[2]!]!;
  }
  throw apiErrorOf(
    400,
    'ERR_VALIDATION',
    `${option} must be whole seconds or a duration such as 30m, got ${String(value)}`,
  );
}
