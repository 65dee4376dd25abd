// Vite build for the web: the admin app (src/web/index.html, served with an SPA fallback) and the
// reporters' phone page (src/web/reporter/index.html → /reporter/), a separate light entry with its
// own service worker. The server serves dist/web.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { defineConfig, transformWithOxc, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const repoRoot = path.dirname(fileURLToPath(import.meta.url));
const webRoot = path.join(repoRoot, 'src/web');

/**
 * Compiles src/web/reporter/sw.ts to reporter/sw.js with the reporter page's files to precache: its
 * HTML, every chunk and stylesheet its entry loads, and the public files under reporter/ (manifest,
 * icons). The version is a hash of that list and the files' contents, so each build that changes the
 * page installs a new worker and drops the old shell.
 */
function reporterServiceWorker(): Plugin {
  return {
    name: 'frontline-reporter-sw',
    apply: 'build',
    enforce: 'post',
    async generateBundle(_options, bundle) {
      const entry = Object.values(bundle).find(
        (c) => c.type === 'chunk' && c.isEntry && (c.facadeModuleId ?? '').replace(/\\/g, '/').endsWith('/reporter/index.html'),
      );
      if (!entry || entry.type !== 'chunk') this.error('reporter entry chunk not found in the bundle');
      const files = new Set<string>();
      const visit = (fileName: string) => {
        const chunk = bundle[fileName];
        if (!chunk || files.has(fileName)) return;
        files.add(fileName);
        if (chunk.type !== 'chunk') return;
        for (const css of chunk.viteMetadata?.importedCss ?? []) files.add(css);
        for (const asset of chunk.viteMetadata?.importedAssets ?? []) files.add(asset);
        for (const dep of [...chunk.imports, ...chunk.dynamicImports]) visit(dep);
      };
      visit(entry.fileName);
      const publicDir = path.join(webRoot, 'public/reporter');
      const publicFiles = fs.existsSync(publicDir) ? fs.readdirSync(publicDir).sort().map((f) => `reporter/${f}`) : [];
      const precache = ['/reporter/index.html', ...[...files, ...publicFiles].sort().map((f) => `/${f}`)];
      const version = createHash('sha256');
      for (const f of [...files].sort()) {
        const item = bundle[f]!;
        version.update(f).update(item.type === 'chunk' ? item.code : typeof item.source === 'string' ? item.source : Buffer.from(item.source));
      }
      for (const f of publicFiles) version.update(f).update(fs.readFileSync(path.join(webRoot, 'public', f)));
      const source = fs.readFileSync(path.join(webRoot, 'reporter/sw.ts'), 'utf8');
      const compiled = await transformWithOxc(source, 'sw.ts', { lang: 'ts' });
      const code =
        `const __PRECACHE__ = ${JSON.stringify(precache)};\nconst __VERSION__ = ${JSON.stringify(version.digest('hex').slice(0, 12))};\n` +
        compiled.code;
      this.emitFile({ type: 'asset', fileName: 'reporter/sw.js', source: code });
    },
  };
}
// `npm run dev:web` proxies the API to a server started separately (default port 3000).
const apiTarget = process.env.FRONTLINE_DEV_API ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: webRoot,
  base: '/',
  plugins: [react(), reporterServiceWorker()],
  build: {
    outDir: path.join(repoRoot, 'dist/web'),
    emptyOutDir: true,
    // antd alone is ~1 MB before gzip; pages are lazy, so only the shell pays for it up front.
    chunkSizeWarningLimit: 1200,
    rolldownOptions: {
      input: {
        index: path.join(webRoot, 'index.html'),
        reporter: path.join(webRoot, 'reporter/index.html'),
      },
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
