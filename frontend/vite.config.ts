import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// The service serves dist/ itself (FrontendRoutes), so every URL is same-origin and the CSP
// ("default-src 'self'") holds: no inline scripts, no CDNs. In `npm run dev` the API is proxied
// to the running service (scripts/run; compose/compose.dev.yaml sets API_PROXY_TARGET) for the same reason.
const backend = process.env.API_PROXY_TARGET ?? 'http://127.0.0.1:8000';

export default defineConfig({
  plugins: [vue()],
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    sourcemap: false,
    // an inlined asset would need a data: script or font source the CSP does not allow
    assetsInlineLimit: 0,
  },
  server: {
    proxy: {
      '/api': backend,
      '/healthz': backend,
      '/helloworld': backend,
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
    restoreMocks: true,
    unstubGlobals: true,
  },
});
