import { isCCError } from '@commandcenter/protocol/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { ClientProvider } from './api/client.js';
import { LiveProvider } from './api/live.js';
import { AppRoutes } from './app/routes.js';
import { SessionProvider } from './app/session.js';
import { Shell } from './app/shell.js';
import { ToastProvider } from './ui/toast.js';
import './styles.css';

// Data stays fresh through the live feed (SSE → invalidation), so queries are not refetched on
// a timer or on window focus; a 4xx is an answer, not something to retry.
const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: Infinity,
      refetchOnWindowFocus: false,
      retry: (count, err) => !(isCCError(err) && err.status < 500) && count < 2,
    },
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <ToastProvider>
        <BrowserRouter>
          <SessionProvider>
            {(s) => (
              <ClientProvider project={s.project} key={s.project}>
                <LiveProvider project={s.project}>
                  <Shell>
                    <AppRoutes />
                  </Shell>
                </LiveProvider>
              </ClientProvider>
            )}
          </SessionProvider>
        </BrowserRouter>
      </ToastProvider>
    </QueryClientProvider>
  </StrictMode>,
);
