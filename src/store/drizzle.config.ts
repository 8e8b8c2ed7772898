/**
 * drizzle-kit settings for generating migrations (dev only; needs no database):
 *   npx drizzle-kit generate --config src/store/drizzle.config.ts
 * Type-only import so the compiled tree never loads drizzle-kit at run time.
 */
import type { Config } from 'drizzle-kit';

export default {
  dialect: 'postgresql',
  schema: './src/store/schema.ts',
  out: './src/store/migrations',
} satisfies Config;
