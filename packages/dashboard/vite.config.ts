// Builds the dashboard into the package's dist/dashboard, which the gateway serves at `/`.
// Run by scripts/build.mjs at `npm ci`; `npm run build -w @aetherium/dashboard` alone also works.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  // Preact's JSX runtime, without a Babel-based plugin: the bundler's own JSX transform does it.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: {
    alias: { react: 'preact/compat', 'react-dom': 'preact/compat' },
  },
  build: {
    outDir: process.env.DASHBOARD_OUT_DIR ?? path.resolve(here, '../../dist/dashboard'),
    emptyOutDir: true,
    target: 'es2022',
    // No source maps in the shipped build: the gateway serves only what the page needs.
    sourcemap: false,
    // The terminal (xterm.js) and the charts load on the pages that use them, not the first page.
    chunkSizeWarningLimit: 400,
    reportCompressedSize: true,
  },
  server: {
    // `npm run dev -w @aetherium/dashboard`: the API of a local node, same origin for the cookie.
    proxy: { '/api': { target: process.env.AETHER_URL ?? 'http://127.0.0.1:8080', ws: true } },
  },
});
