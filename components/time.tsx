"use client";
// The one date format of the app: relative ("3 min ago", "in 2 d"), the exact UTC time on hover.
import { useNow } from "@/components/hooks/use-now";

/** "2026-12-02 11:54 UTC": the same on the server and in every browser. */
export function exactTime(iso: string | number | Date): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** "just now", "5 min ago", "3 h ago", "4 d ago", "in 2 d"; older than 60 days: the date. */
export function relativeTime(iso: string | number | Date, now: number): string {
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return "";
  const s = Math.round((now - t) / 1000);
  const a = Math.abs(s);
  const say = (n: number, unit: string) => (s >= 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`);
  if (a < 45) return "just now";
  if (a < 3600) return say(Math.max(1, Math.round(a / 60)), "min");
  if (a < 86_400) return say(Math.round(a / 3600), "h");
  if (a < 60 * 86_400) return say(Math.round(a / 86_400), "d");
  return new Date(t).toISOString().slice(0, 10);
}

export function Time({ at, className, prefix }: { at: string | number | Date; className?: string; prefix?: string }) {
  const now = useNow();
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return null;
  return (
    // the server's "now" and the browser's differ by the render time: the browser's text wins
    <time dateTime={d.toISOString()} title={exactTime(d)} className={className} suppressHydrationWarning data-testid="time">
      {prefix}{relativeTime(d, now)}
    </time>
  );
}
