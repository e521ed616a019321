/**
 * The web app's build: served by the gateway at /app (so every asset URL starts with /app/), hashed file
 * names under assets/ (the gateway caches those as immutable), no source maps in the shipped folder.
 */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  root: __dirname,
  base: '/app/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    // recharts and its d3 parts are most of the weight: a chunk of their own caches across app releases.
    rollupOptions: { output: { manualChunks: { charts: ['recharts'], apollo: ['@apollo/client'], react: ['react', 'react-dom', 'react-router-dom'] } } },
  },
  // The app talks to the gateway's origin only; `npm run web:dev` proxies it to a running `npm start`.
  server: { proxy: { '/graphql': 'http://localhost:4000', '/explorer/demo-token': 'http://localhost:4000', '/app/config.json': 'http://localhost:4000' } },
});
