import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

// Served by the ingress under /dashboard/ with a strict CSP (no inline script or style): the build
// emits only external .js and .css files, no modulepreload polyfill, no source maps.
export default defineConfig({
  base: '/dashboard/',
  plugins: [preact({ prerender: { enabled: false } })],
  build: {
    outDir: 'target/classes/static/dashboard',
    emptyOutDir: true,
    sourcemap: false,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    target: 'es2020',
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
  test: {
    include: ['src/**/*.test.js'],
    environment: 'node',
  },
});
