"use client";
// Light, dark, or the system's choice (the default). Kept in a cookie so the server renders the
// right class on <html> and no inline script is needed before paint.
import { useState } from "react";

export type Theme = "system" | "light" | "dark";
const NEXT: Record<Theme, Theme> = { system: "light", light: "dark", dark: "system" };
const LABEL: Record<Theme, string> = { system: "Theme: system", light: "Theme: light", dark: "Theme: dark" };

export function ThemeToggle({ initial }: { initial: Theme }) {
  const [theme, setTheme] = useState<Theme>(initial);
  return (
    <button
      type="button"
      className="btn-secondary px-2 py-1"
      data-testid="theme-toggle"
      title={`${LABEL[theme]} (click for ${NEXT[theme]})`}
      aria-label={`${LABEL[theme]}; switch to ${NEXT[theme]}`}
      onClick={() => {
        const next = NEXT[theme];
        setTheme(next);
        const html = document.documentElement;
        html.classList.remove("light", "dark");
        if (next !== "system") html.classList.add(next);
        document.cookie = `regatta-theme=${next}; path=/; max-age=31536000; samesite=lax`;
      }}
    >
      <span aria-hidden="true">{theme === "dark" ? "☾" : theme === "light" ? "☀" : "◐"}</span>
    </button>
  );
}
