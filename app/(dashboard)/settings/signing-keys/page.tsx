import { requireRole } from "@/lib/auth/guard";
import { listSigningKeys } from "@/lib/services/signing-keys";
import { SigningKeysSettings } from "@/components/signing-keys-settings";

export const metadata = { title: "Signing keys" };

export default async function SigningKeysPage() {
  await requireRole("ADMIN");
  return <SigningKeysSettings initial={await listSigningKeys()} />;
}
