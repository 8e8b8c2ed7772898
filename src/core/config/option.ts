/**
 * One configuration option, defined once: where it is set (env var, config file key), its
 * default, its documentation and the schema that checks it. Core, every driver module and every
 * integration module declare their options in this shape; the runtime joins them into the
 * node's one table, which config files, error messages, `docs/configuration.md` and
 * `aether doctor` are built from.
 */
import { z } from 'zod';

export interface ConfigOption<S extends z.ZodType = z.ZodType> {
  /** The environment variable that sets it: `AETHER_PORT`. */
  readonly env: string;
  /** Its key in the YAML config file, `section.key` in snake_case: `server.port`. */
  readonly file: string;
  /**
   * Taken when no flag, file or variable sets it. Its type is the type the option takes: a
   * boolean option accepts YAML booleans, a string option turns a YAML number into its text.
   */
  readonly default: string | number | boolean;
  /** One sentence for the configuration reference; say the unit when the name does not. */
  readonly doc: string;
  /** Checks the raw value (text from a flag or the environment, a scalar from the file) and converts it. */
  readonly schema: S;
  /** Holds a secret: messages show `"***"` instead of its value. */
  readonly secret?: boolean;
  /** A URL that may carry a password: messages mask the password. */
  readonly maskUrlPassword?: boolean;
  /**
   * For a default that names what it stands for (`<hostname>`): computes the value that a
   * setting equal to the default is read as.
   */
  readonly fillDefault?: () => string;
}

/** Options by name (camelCase, unique across the node: `dockerHost`, not `host`). */
export type ConfigOptionTable = Readonly<Record<string, ConfigOption>>;

/** The checked values of a table's options, by name. */
export type ConfigValues<T extends ConfigOptionTable> = {
  readonly [K in keyof T]: z.output<T[K]['schema']>;
};

/** Several tables as one type (a union of tables becomes their intersection). */
export type JoinedTables<U extends ConfigOptionTable> = (U extends unknown ? (u: U) => void : never) extends (
  i: infer I,
) => void
  ? I
  : never;

/** Declares a table of options, keeping each option's own types. */
export function defineOptions<const T extends ConfigOptionTable>(options: T): T {
  return options;
}

/** The values of `options` out of a node's whole configuration. */
export function valuesOf<T extends ConfigOptionTable>(
  options: T,
  config: Readonly<Record<string, unknown>>,
): ConfigValues<T> {
  return Object.freeze(
    Object.fromEntries(Object.keys(options).map((key) => [key, config[key]])),
  ) as ConfigValues<T>;
}

// Schemas several options share.

export const positiveInt = z.coerce.number().int().positive();

/** A boolean: YAML's true/false, or the text `true`/`false` from a flag or the environment. */
export const booleanOption = z
  .union([z.boolean(), z.enum(['true', 'false'])])
  .transform((v) => v === true || v === 'true');

/** A URL with one of `schemes`, parseable as a whole (an empty string means "not set"). */
export function urlOption(schemes: RegExp, what: string) {
  return z.string().refine((v) => v === '' || (schemes.test(v) && URL.canParse(v)), `must be a ${what} URL`);
}

/** The non-empty, trimmed entries of a comma-separated option. */
export function commaList(value: string): string[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}
