import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

/**
 * The API serves `index.html` at `/` and bundles under `/assets/*` only
 * (services/api/src/http/dashboard.ts), so: base '/', Vite's default output layout, every image
 * or font imported (hashed into assets/), and hash routing. `npm run dev` proxies the API and the
 * socket.io endpoint of a demo on HW_API_ORIGIN (default http://127.0.0.1:8080).
 */
const api = process.env['HW_API_ORIGIN'] ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/',
  plugins: [vue()],
  build: { outDir: 'dist', assetsDir: 'assets', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: {
    proxy: {
      '/api': api,
      '/socket.io': { target: api, ws: true },
    },
  },
});
