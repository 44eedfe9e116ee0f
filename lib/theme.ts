import "server-only";
import { cookies } from "next/headers";

export type Theme = "system" | "light" | "dark";

/** The theme the person chose (cookie set by the toggle); "system" follows prefers-color-scheme. */
export async function currentTheme(): Promise<Theme> {
  const v = (await cookies()).get("regatta-theme")?.value;
  return v === "light" || v === "dark" ? v : "system";
}
