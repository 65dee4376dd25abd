// Vite build for the admin web shell (src/web). The server serves dist/web with an SPA fallback.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const repoRoot = path.dirname(fileURLToPath(import.meta.url));
// `npm run dev:web` proxies the API to a server started separately (default port 3000).
const apiTarget = process.env.FRONTLINE_DEV_API ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: path.join(repoRoot, 'src/web'),
  base: '/',
  plugins: [react()],
  build: {
    outDir: path.join(repoRoot, 'dist/web'),
    emptyOutDir: true,
    // antd alone is ~1 MB before gzip; pages are lazy, so only the shell pays for it up front.
    chunkSizeWarningLimit: 1200,
    rolldownOptions: {
      output: {
        // Stable, recognisable vendor chunks that survive app releases in the browser cache; antd
        // stays with the default splitting so each lazy page only pulls the components it uses.
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler|react-router|cookie|set-cookie-parser)[\\/]/ },
            { name: 'data', test: /node_modules[\\/](@tanstack|i18next|react-i18next|html-parse-stringify|void-elements)[\\/]/ },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
    },
  },
  preview: {
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
    },
  },
});
