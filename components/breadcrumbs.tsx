import Link from "next/link";

export function Breadcrumbs({ items }: { items: { label: string; href?: string }[] }) {
  return (
    <nav className="mb-4 flex flex-wrap items-center gap-1.5 text-sm text-slate-500" aria-label="Breadcrumb">
      {items.map((it, i) => (
        <span key={i} className="flex items-center gap-1.5">
          {i > 0 && <span>/</span>}
          {it.href ? <Link className="hover:text-slate-900" href={it.href}>{it.label}</Link> : <span className="font-medium text-slate-900">{it.label}</span>}
        </span>
      ))}
    </nav>
  );
}
