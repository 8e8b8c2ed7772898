import { fileURLToPath } from 'node:url';

/**
 * The committed SQL migrations, found next to this module so the same code works from `src/`
 * and from a compiled `dist/store/` (the build copies the folder; tsc copies no .sql files).
 */
export const MIGRATIONS_FOLDER: string = fileURLToPath(new URL('./migrations', import.meta.url));
