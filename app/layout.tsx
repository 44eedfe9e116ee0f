import type { Metadata } from "next";
import { headers } from "next/headers";
import "./globals.css";
import { Providers } from "@/components/providers";
import { currentTheme } from "@/lib/theme";

export const metadata: Metadata = {
  title: { default: "Regatta", template: "%s · Regatta" },
  description: "One dashboard for every container registry your team uses.",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // every page is rendered per request: its scripts carry this answer's CSP nonce (proxy.ts)
  await headers();
  const theme = await currentTheme();
  return (
    <html lang="en" className={theme === "system" ? undefined : theme}>
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
