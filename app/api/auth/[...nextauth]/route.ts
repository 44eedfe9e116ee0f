import { NextRequest } from "next/server";
import { errorJson } from "@/lib/api/errors";
import { handlers } from "@/lib/auth/auth";
import { readRequestBounded } from "@/lib/auth/guard";

export const { GET } = handlers;

/** Sign-in and sign-out forms: the body is read under the same 1 MiB cap as every route before Auth.js parses it. */
export async function POST(req: NextRequest): Promise<Response> {
  let body: Uint8Array;
  try {
    body = await readRequestBounded(req);
  } catch (e) {
    return errorJson(e);
  }
  return handlers.POST(new NextRequest(req.url, { method: "POST", headers: req.headers, body: body as Uint8Array<ArrayBuffer> }));
}
