"use client";
// The header's navigation: the current page marked (aria-current), folded into a menu on a phone.
import Link from "next/link";
import { usePathname } from "next/navigation";

export interface NavItem { href: string; label: string }

function isCurrent(pathname: string, href: string): boolean {
  if (href === "/") return pathname === "/" || pathname.startsWith("/registries/");
  if (href === "/pipeline") return pathname === href || pathname === "/settings/pipeline";
  return pathname === href || pathname.startsWith(`${href}/`);
}

// No prefetch: every page is dynamic and has no loading boundary, so Next's prefetch of a header
// link (~1 KB, no page content) saved a click nothing, yet cost a server render (~10 ms of CPU)
// for each of the 12 links, twice per page view (again when the router tree changes), while the
// page's own requests waited: 24 renders during every cold table fill.
function Links({ items, className }: { items: NavItem[]; className: string }) {
  const pathname = usePathname() ?? "/";
  return (
    <>
      {items.map((i) => {
        const current = isCurrent(pathname, i.href);
        return (
          <Link
            key={i.href}
            href={i.href}
            prefetch={false}
            aria-current={current ? "page" : undefined}
            className={`${className} ${current ? "font-semibold text-slate-900 underline decoration-sky-600 decoration-2 underline-offset-[6px] dark:text-white" : "text-slate-600 hover:text-slate-900 dark:text-slate-300 dark:hover:text-white"}`}
          >
            {i.label}
          </Link>
        );
      })}
    </>
  );
}

export function NavLinks({ items }: { items: NavItem[] }) {
  return (
    <>
      <nav aria-label="Main" className="hidden gap-3 whitespace-nowrap text-sm xl:flex"><Links items={items} className="" /></nav>
      <details className="group relative xl:hidden" data-testid="nav-menu">
        <summary className="btn-secondary cursor-pointer list-none py-1" aria-label="Menu">Menu</summary>
        <nav aria-label="Main" className="absolute left-0 z-30 mt-2 flex w-56 flex-col rounded-md border border-slate-200 bg-white py-1 text-sm shadow-lg dark:border-slate-700 dark:bg-slate-900">
          <Links items={items} className="px-3 py-2" />
        </nav>
      </details>
    </>
  );
}
