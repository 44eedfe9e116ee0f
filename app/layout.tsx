import type { Metadata } from "next";
import "./globals.css";
import { Providers } from "@/components/providers";
import { currentTheme } from "@/lib/theme";

export const metadata: Metadata = {
  title: { default: "Regatta", template: "%s · Regatta" },
  description: "One dashboard for every container registry your team uses.",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const theme = await currentTheme();
  return (
    <html lang="en" className={theme === "system" ? undefined : theme}>
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
