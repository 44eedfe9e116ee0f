// Test harness: real registries (CNCF distribution 2.8) + real images (umoci) + skopeo.
export { startRegistry, toYaml } from "./registry";
export type {
  AccessLogEntry, NotificationEndpoint, RegistryMode, RunningRegistry, RunningTokenServer, StartRegistryOptions,
} from "./registry";
export { libtrustKid, newSigningKey, selfSignedCertPem, startTokenServer } from "./token-server";
export type { TokenAccess, TokenLogEntry, TokenServer, TokenServerOptions } from "./token-server";
export { MANIFEST_ACCEPT, MANIFEST_TYPES, authorization, fetchToken, mapLimit, registryFetch } from "./http";
export type { Credentials } from "./http";
export { credsArgs, dockerRef, skopeo, skopeoInspect, skopeoListTags, skopeoPush, tool, toolDir, tools } from "./skopeo";
export type { CredsOption, ToolEnv } from "./skopeo";
export {
  buildImage, buildIndex, defaultTagName, getManifest, pushImage, pushIndex, pushManyTags, retag,
} from "./images";
export type { BuiltImage, ImageSpec, LayerSpec, PushOptions, PushedIndex } from "./images";
export { STANDARD_PLAN, pushBigImage, seedStandard, toolVersions } from "./seed";
export type { StandardSeed } from "./seed";
export { DEFAULT_BASE_DIR, freePort, makeTempDir, removeTempDir } from "./proc";
