import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

/** `/` and `/app` go to `/app/` in the dev server too, as `npm start` and CloudFront do. */
const redirectToBase: Plugin = {
  name: 'crm-redirect-to-base',
  configureServer(server) {
    server.middlewares.use((request, response, next) => {
      const [path, query] = (request.url ?? '/').split(/\?(.*)/s);
      if (path !== '/' && path !== '/app') return next();
      response.writeHead(302, { location: `/app/${query ? `?${query}` : ''}` }).end();
    });
  },
};

/**
 * The console is served under /app (by `npm start` and by CloudFront), so every asset URL starts
 * there. `npm run dev:console` proxies the API to the running `npm start` (CRM_API, default
 * http://localhost:3000) and reloads pages as sources change.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/app/',
  plugins: [redirectToBase],
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Source maps stay out of the deployed bucket: the bench weighs what browsers download.
    sourcemap: false,
    chunkSizeWarningLimit: 150,
  },
  server: {
    port: Number(process.env.CONSOLE_PORT ?? 5173),
    proxy: {
      '^/app/(config\\.json|local/.*)$': process.env.CRM_API ?? 'http://localhost:3000',
    },
  },
});
