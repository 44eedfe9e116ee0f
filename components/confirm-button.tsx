"use client";
// A destructive button of the settings tables: asks `question` first, then calls `onConfirm`.
export function ConfirmButton({ question, onConfirm, children = "Remove" }: { question: string; onConfirm: () => void; children?: React.ReactNode }) {
  return (
    <button className="btn-danger py-1" onClick={() => { if (confirm(question)) onConfirm(); }}>{children}</button>
  );
}
