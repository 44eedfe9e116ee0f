"use client";
import { useRegistryTest } from "@/components/hooks/use-registry-test";

const mark = (ok: boolean | null) => (ok === null ? "–" : ok ? "✓" : "✗");

export function RegistryTestButton({ id }: { id: string }) {
  const test = useRegistryTest(id);
  const r = test.data;
  return (
    <span className="relative inline-block">
      <button className="btn-secondary py-1" onClick={() => test.mutate()} disabled={test.isPending}>
        {test.isPending ? "Testing…" : "Test"}
      </button>
      {(r || test.error) && (
        <span role="status" className="absolute right-0 top-9 z-10 w-80 whitespace-normal rounded-md border border-slate-200 bg-white p-3 text-left text-xs shadow-lg">
          {r ? (
            <>
              <span className="grid grid-cols-2 gap-1">
                <span>{mark(r.reachable)} reachable</span><span>{mark(r.authenticated)} authenticated</span>
                <span>{mark(r.catalog)} catalog</span><span>{mark(r.delete)} delete enabled</span>
              </span>
              <span className="mt-2 block text-slate-600">{r.message}</span>
            </>
          ) : (
            <span className="text-red-700">{(test.error as Error).message}</span>
          )}
          <button className="mt-2 block text-slate-500 underline" onClick={() => test.reset()}>close</button>
        </span>
      )}
    </span>
  );
}
