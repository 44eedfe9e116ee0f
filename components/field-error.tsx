"use client";
import { ApiClientError } from "@/components/api";

/** The server's message for one field, when the last error named it. */
export function fieldError(err: unknown, field: string): string | undefined {
  if (!(err instanceof ApiClientError)) return undefined;
  return err.details?.issues?.find((i) => i.field === field)?.message;
}

export function ErrorBanner({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : "something went wrong";
  return <p role="alert" data-testid="error" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{message}</p>;
}
