// Deprecated alias of /api/v1/stages/{id}.
export { DELETE } from "../../stages/[id]/route";
