/**
 * What a node says at start about settings of the Go version it read: one warning per key or
 * environment variable, naming it and what to write instead (or why it is ignored).
 */

export interface ConfigNotice {
  /** The Go version's key or variable the notice is about: `database.host`, `POSTGRES_HOST`. */
  readonly subject: string;
  /** The whole warning, one line. */
  readonly message: string;
}

/** `deprecated key database.host (example.yaml:8): write storage.database_url: … instead` */
export function keyReplaced(subject: string, where: string, instead: string): ConfigNotice {
  return { subject, message: `deprecated key ${subject} (${where}): write ${instead} instead` };
}

/** `deprecated key server.mode (example.yaml:4) is ignored: why; remove it` */
export function keyIgnored(subject: string, where: string, why: string): ConfigNotice {
  return { subject, message: `deprecated key ${subject} (${where}) is ignored: ${why}; remove it` };
}

/** `deprecated value logging.format: text (example.yaml:44): write logging.format: pretty instead` */
export function valueReplaced(subject: string, value: string, where: string, instead: string): ConfigNotice {
  return { subject, message: `deprecated value ${subject}: ${value} (${where}): write ${instead} instead` };
}

/** `deprecated variable POSTGRES_HOST: write DATABASE_URL=… instead` */
export function variableReplaced(name: string, instead: string): ConfigNotice {
  return { subject: name, message: `deprecated variable ${name}: write ${instead} instead` };
}

/** `deprecated variable CONSUL_ADDR is ignored: why` */
export function variableIgnored(name: string, why: string): ConfigNotice {
  return { subject: name, message: `deprecated variable ${name} is ignored: ${why}` };
}
