"use client";
import { ErrorMessage } from "@/components/error-message";
import { useSigningKeys } from "@/components/hooks/use-signing-keys";
import type { SigningKeyView } from "@/lib/schemas/signing";

const ALGORITHM: Record<string, string> = { "ecdsa-p256": "ECDSA P-256", ed25519: "Ed25519", rsa: "RSA" };

export function SigningKeysSettings({ initial }: { initial: SigningKeyView[] }) {
  const k = useSigningKeys(initial);
  function add(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    k.add.mutate({ name: String(f.get("name")), publicKeyPem: String(f.get("publicKeyPem")) }, { onSuccess: () => form.reset() });
  }
  return (
    <div className="space-y-4">
      <h1 className="text-lg font-semibold">Signing keys</h1>
      <p className="text-sm text-slate-600">
        Public keys that cosign signatures are verified with (<code>cosign.pub</code>: ECDSA P-256, Ed25519 or RSA). A protection rule
        marked <em>signed only</em> (Settings → <a className="underline" href="/settings/pipeline">Pipeline</a>) lets a version into its tags only
        when one of these keys verifies a signature of exactly that digest, stored as a <code>sha256-…​.sig</code> tag or attached as a referrer.
      </p>
      <div className="card divide-y divide-slate-100" data-testid="signing-keys">
        {k.keys.data?.length === 0 && <p className="px-4 py-3 text-sm text-slate-500">No keys yet: a signed-only rule refuses every promotion until one is added.</p>}
        {k.keys.data?.map((key) => (
          <div key={key.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 px-4 py-2 text-sm">
            <span className="font-medium">{key.name}</span>
            <span className="rounded bg-slate-100 px-1.5 text-xs">{ALGORITHM[key.algorithm] ?? key.algorithm}</span>
            <code className="min-w-0 break-all font-mono text-xs text-slate-600" title="sha256 of the public key (DER)">{key.fingerprint.slice(0, 23)}…</code>
            <span className="text-xs text-slate-500">added by {key.createdBy}</span>
            <button className="btn-danger ml-auto py-1" onClick={() => k.remove.mutate(key.id)} aria-label={`Remove ${key.name}`}>Remove</button>
          </div>
        ))}
      </div>
      <form aria-label="Add signing key" className="card space-y-3 p-4" onSubmit={add}>
        <div><label className="label" htmlFor="k-name">Name</label><input id="k-name" name="name" className="input w-full sm:w-64" placeholder="release key" required /></div>
        <div><label className="label" htmlFor="k-pem">Public key (PEM)</label>
          <textarea id="k-pem" name="publicKeyPem" className="input h-32 w-full font-mono text-xs" placeholder={"-----BEGIN PUBLIC KEY-----\n…\n-----END PUBLIC KEY-----"} required /></div>
        <button className="btn-primary" type="submit" disabled={k.add.isPending}>Add key</button>
      </form>
      <ErrorMessage error={k.add.error ?? k.remove.error} />
    </div>
  );
}
