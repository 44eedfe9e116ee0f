import Link from "next/link";

export default function Forbidden() {
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="card max-w-md p-6 text-center">
        <h1 className="text-lg font-semibold">You can’t open this page</h1>
        <p className="mt-2 text-sm text-slate-600">Your role does not allow it. Ask an admin to change your role in Settings → Users.</p>
        <Link className="btn-secondary mt-4" href="/">Back to the overview</Link>
      </div>
    </main>
  );
}
