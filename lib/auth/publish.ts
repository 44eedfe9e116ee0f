import "server-only";
// Who may publish: promote an image from a private or unknown-visibility repository into a public
// one (after confirming it, and only where the registry's publishPolicy allows it at all). A global
// admin, or a team grant of OPERATOR or more with "may publish" on that registry and repository
// (lib/auth/access.ts, the one access module).
export { mayPublish } from "./access";
