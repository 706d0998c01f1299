/**
 * Build of the web console: `vite build --config web/vite.config.ts` writes web/dist, which the
 * server's web plugin serves under /web/ (hence `base`). `vite --config web/vite.config.ts` runs a
 * dev server that forwards the API to a local `npm start` on 7860.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const api = 'http://127.0.0.1:7860';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/web/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Hashed file names under assets/ are what lets the server cache them as immutable.
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 200,
  },
  server: {
    proxy: {
      '/ws': { target: api, ws: true },
      '/tasks': api,
      '/episodes': api,
      '/grader': api,
    },
  },
});
