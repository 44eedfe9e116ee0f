"use client";
import { ApiClientError } from "@/components/api";

/** The server's message for one field, when the last error named it. */
export function fieldError(err: unknown, field: string): string | undefined {
  if (!(err instanceof ApiClientError)) return undefined;
  return err.details?.issues?.find((i) => i.field === field)?.message;
}
