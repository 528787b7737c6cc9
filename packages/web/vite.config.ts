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
    rolldownOptions: {
      output: {
        // Libraries only some pages need get their own chunks (loaded with those pages); React
        // and the data layer every page needs form one chunk of their own, with the highest
        // priority, so that the graph chunk never captures them and lands in the first load.
        codeSplitting: {
          groups: [
            {
              name: 'react',
              test: /node_modules[\\/](react|react-dom|scheduler|react-router|@tanstack|use-sync-external-store)[\\/]/,
              priority: 30,
            },
            {
              name: 'editor',
              test: /node_modules[\\/](@codemirror|@lezer|@marijn|crelt|style-mod|w3c-keyname)[\\/]/,
              priority: 20,
            },
            {
              name: 'graph',
              test: /node_modules[\\/](@xyflow|@dagrejs|d3-[a-z]+|zustand|classcat)[\\/]/,
              priority: 20,
            },
            { name: 'charts', test: /node_modules[\\/]uplot[\\/]/, priority: 20 },
          ],
        },
      },
    },
  },
  server: {
    proxy: { '/api': hub, '/login': hub, '/hooks': hub, '/healthz': hub },
  },
});
