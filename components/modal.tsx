"use client";
// The one dialog of the app: a native <dialog> opened with showModal(), so the browser traps focus,
// makes the page underneath inert, closes on Escape and marks it modal for assistive technology.
import { useEffect, useId, useRef } from "react";

const FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex='-1'])";

export function Modal({ title, onClose, children, closable = true, wide = false, testId }: {
  /** the dialog's accessible name and its heading */
  title: React.ReactNode;
  onClose: () => void;
  children: React.ReactNode;
  /** false while something runs that must not be left (Escape is then ignored) */
  closable?: boolean;
  wide?: boolean;
  testId?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const heading = useId();
  const opener = useRef<Element | null>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    opener.current = document.activeElement;
    if (!d.open) d.showModal();
    return () => {
      if (d.open) d.close();
      // focus goes back to what opened the dialog
      if (opener.current instanceof HTMLElement && opener.current.isConnected) opener.current.focus();
    };
  }, []);
  const closableRef = useRef(closable);
  closableRef.current = closable;
  return (
    <dialog
      ref={ref}
      aria-labelledby={heading}
      aria-modal="true"
      data-testid={testId}
      className={`card m-auto mt-16 w-[calc(100%-2rem)] ${wide ? "max-w-3xl" : "max-w-xl"} p-0 text-slate-900 backdrop:bg-slate-900/40 dark:text-slate-100`}
      onKeyDown={(e) => {
        // the page underneath is inert; Tab also wraps inside instead of leaving for the browser's toolbar
        if (e.key !== "Tab" || !ref.current) return;
        const items = [...ref.current.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => !el.hasAttribute("disabled") && el.getClientRects().length > 0);
        if (!items.length) return;
        const first = items[0]!;
        const last = items.at(-1)!;
        if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
        else if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last.focus(); }
      }}
      onCancel={(e) => {
        e.preventDefault();
        if (closableRef.current) onClose();
      }}
    >
      <div className="max-h-[80vh] space-y-4 overflow-y-auto p-5">
        <h2 id={heading} className="font-medium">{title}</h2>
        {children}
      </div>
    </dialog>
  );
}
