// A sail, drawn rather than an emoji: servers and CI machines often lack an emoji font.
export function Logo({ className = "h-5 w-5" }: { className?: string }) {
  return (
    <svg viewBox="0 0 24 24" className={className} aria-hidden="true">
      <path d="M11 2 4 16h7z" fill="#0369a1" />
      <path d="M13 5v11h6z" fill="#38bdf8" />
      <path d="M3 18h18l-2.5 3h-13z" fill="#0f172a" />
    </svg>
  );
}
