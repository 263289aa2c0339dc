import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The console, built into dist/console, which the API serves under /console/ with a Content-Security-Policy that
 * allows scripts, styles and images from its own origin only: so nothing is inlined, not even a small image.
 */
export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: '../../dist/console',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
});
