import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';
import { precompress } from './scripts/precompress.js';

/**
 * The API serves `index.html` at `/` and bundles under `/assets/*` only
 * (services/api/src/http/dashboard.ts), so: base '/', Vite's default output layout, every image
 * or font imported (hashed into assets/), and hash routing. `npm run dev` proxies the API and the
 * socket.io endpoint of a demo on HW_API_ORIGIN (default http://127.0.0.1:8080).
 *
 * Issue #21: the map (Leaflet) and the charts (ECharts) are chunks of their own, loaded when their
 * view first opens (App.vue), and every script and style gets `.br` and `.gz` copies that the API
 * answers by Accept-Encoding (scripts/precompress.ts).
 */
const api = process.env['HW_API_ORIGIN'] ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/',
  plugins: [vue(), precompress()],
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    chunkSizeWarningLimit: 600,
    rollupOptions: {
      output: {
        // The two libraries in chunks of their own, named for them: a change to MapView or a
        // chart leaves them cached (rollup would name the shared ECharts chunk after a module
        // inside it and fold Leaflet into MapView's).
        manualChunks: (id) =>
          /[\\/]node_modules[\\/](echarts|zrender)[\\/]/.test(id)
            ? 'echarts'
            : /[\\/]node_modules[\\/]leaflet[\\/]/.test(id)
              ? 'leaflet'
              : undefined,
      },
    },
  },
  server: {
    proxy: {
      '/api': api,
      '/socket.io': { target: api, ws: true },
    },
  },
});
