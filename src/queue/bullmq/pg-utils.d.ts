// node-postgres' own parameter serialiser; @types/pg does not declare this deep import.
declare module 'pg/lib/utils.js' {
  export function prepareValue(value: unknown): string | Buffer | null;
}
