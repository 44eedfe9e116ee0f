// Manifest media types a tag can point at (registry events carry blob types too).
import { DOCKER_MANIFEST_SCHEMA1, DOCKER_MANIFEST_SCHEMA1_SIGNED, MANIFEST_ACCEPT } from "@/lib/registry/media-types";

export const MANIFEST_MEDIA_TYPES: ReadonlySet<string> = new Set([...MANIFEST_ACCEPT, DOCKER_MANIFEST_SCHEMA1, DOCKER_MANIFEST_SCHEMA1_SIGNED]);
