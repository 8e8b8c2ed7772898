import { customType } from 'drizzle-orm/pg-core';

/**
 * A `bytea` column read and written as bytes. pg hands back a Buffer and PGlite a Uint8Array;
 * both are Uint8Arrays, so records compare equal whichever backend read them. Written as a
 * Buffer, which pg sends as binary and the PGlite inliner as a `'\x…'` literal.
 */
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  toDriver: (value) => Buffer.from(value.buffer, value.byteOffset, value.byteLength),
  fromDriver: (value) => new Uint8Array(value.buffer, value.byteOffset, value.byteLength),
});
