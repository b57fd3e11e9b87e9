import { fileURLToPath, URL } from 'node:url';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

/** Where `yarn dev` runs the API server; the dev server forwards API paths to it. */
const apiTarget = process.env.API_PROXY_TARGET ?? 'http://127.0.0.1:4000';

export default defineConfig({
  plugins: [vue()],
  // The server puts a fresh nonce for each page in place of this (server/src/http/security-headers.ts).
  html: { cspNonce: '__CSP_NONCE__' },
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      '/graphql': { target: apiTarget, changeOrigin: true },
      '/healthz': { target: apiTarget, changeOrigin: true },
      '/export': { target: apiTarget, changeOrigin: true },
      '/unsubscribe': { target: apiTarget, changeOrigin: true },
    },
  },
});
