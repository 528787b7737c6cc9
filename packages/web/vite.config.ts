import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig } from 'vite';

// The UI imports @commandcenter/protocol from its TypeScript sources (the `source` export
// condition), so a UI build never depends on a stale protocol build. `npm run dev` proxies the
// API to a hub on CC_DEV_HUB (default http://127.0.0.1:9002).
const hub = process.env.CC_DEV_HUB ?? 'http://127.0.0.1:9002';

export default defineConfig({
  plugins: [react()],
  resolve: { conditions: ['source', ...defaultClientConditions] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      output: {
        manualChunks(id: string) {
          if (id.includes('node_modules/@codemirror') || id.includes('node_modules/@lezer')) return 'editor';
          if (id.includes('node_modules/@xyflow') || id.includes('node_modules/@dagrejs')) return 'graph';
          if (id.includes('node_modules/uplot')) return 'charts';
          return undefined;
        },
      },
    },
  },
  server: {
    proxy: { '/api': hub, '/login': hub, '/hooks': hub, '/healthz': hub },
  },
});
