"use client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { z } from "zod";

// no `new Function` probe in the browser: the pages' CSP forbids eval, and Chromium reports the
// (caught) attempt as a violation; zod validates the same without its JIT
z.config({ jitless: true });

export function Providers({ children }: { children: React.ReactNode }) {
  const [client] = useState(
    () => new QueryClient({ defaultOptions: { queries: { staleTime: 15_000, retry: 1, refetchOnWindowFocus: false } } }),
  );
  // said once the page's script has run and its handlers are on (the end-to-end specs wait for it
  // before a key or a click, as a person waits for a page that answers)
  useEffect(() => document.documentElement.setAttribute("data-hydrated", ""), []);
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}
