"use client";
import { ApiClientError } from "@/components/api";
import { ErrorBanner } from "@/components/field-error";
import { retryText } from "@/components/rate-limit";

/** The registry's own message in place; a 429 also says when to try again. */
export function RegistryErrorBanner({ error }: { error: unknown }) {
  if (!error) return null;
  if (error instanceof ApiClientError && error.status === 429) {
    const after = Number(error.details?.retryAfter);
    const wait = Number.isFinite(after) && after > 0 ? retryText(after) : "retry in a little while";
    return <ErrorBanner error={new Error(`Rate limited by the registry, ${wait}. ${error.message}`)} />;
  }
  return <ErrorBanner error={error} />;
}
