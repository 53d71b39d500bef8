// The vMCP runtime versions the functions can deploy, and what differs between them. The one place where
// versions live: the default image, the test environment's builds (control-plane install) and the runtime
// tests read this table; the README's table describes the same versions. A version is listed only when the
// real runtime of that version, built from ToolHive's Go module, passes the tests (validate gate, static and
// dynamic mode end to end).

export type StatusShape =
  /** Up to v0.46: the runtime writes discoveredBackends, backendCount, phase, message and conditions. */
  | "top-level"
  /** From v0.47.0: the runtime writes status.runtime only; the functions project it to the top level. */
  | "runtime";

export interface RuntimeProfile {
  readonly version: string;
  readonly statusShape: StatusShape;
}

export const RUNTIME_PROFILES: readonly RuntimeProfile[] = [
  { version: "v0.44.0", statusShape: "top-level" },
  { version: "v0.47.0", statusShape: "runtime" },
];

/** The newest version the tests prove. */
export const DEFAULT_RUNTIME_VERSION = "v0.47.0";
export const VMCP_IMAGE_REPOSITORY = "ghcr.io/stacklok/toolhive/vmcp";
export const DEFAULT_VMCP_IMAGE = `${VMCP_IMAGE_REPOSITORY}:${DEFAULT_RUNTIME_VERSION}`;

export const SUPPORTED_VERSIONS = RUNTIME_PROFILES.map((p) => p.version);

/** `repo:v1.2.3`, `repo:1.2.3`, `repo:v1.2.3@sha256:…`: the version in the tag; undefined for other tags. */
export function imageTagVersion(image: string): string | undefined {
  const withoutDigest = image.split("@")[0] ?? "";
  const slash = withoutDigest.lastIndexOf("/");
  const colon = withoutDigest.lastIndexOf(":");
  if (colon <= slash) return undefined;
  const tag = withoutDigest.slice(colon + 1);
  return /^v?\d+\.\d+\.\d+$/.test(tag) ? (tag.startsWith("v") ? tag : `v${tag}`) : undefined;
}

const profileOf = (version: string) => RUNTIME_PROFILES.find((p) => p.version === version);

/**
 * The profile of the runtime an image runs: VMCP_RUNTIME_VERSION when set (custom tags, digests, mirrors),
 * else the image's tag. Throws a message naming both settings when neither gives a supported version.
 */
export function runtimeProfile(image: string, declared?: string): RuntimeProfile {
  const supported = SUPPORTED_VERSIONS.join(", ");
  if (declared) {
    const version = declared.startsWith("v") ? declared : `v${declared}`;
    const profile = profileOf(version);
    if (profile) return profile;
    throw new Error(
      `VMCP_RUNTIME_VERSION is ${JSON.stringify(declared)}, which is not a supported vMCP runtime version (${supported})`,
    );
  }
  const tagged = imageTagVersion(image);
  const profile = tagged && profileOf(tagged);
  if (profile) return profile;
  throw new Error(
    tagged
      ? `VMCP_IMAGE ${JSON.stringify(image)} runs vMCP runtime ${tagged}, which is not supported (${supported}); use a supported tag, or set VMCP_RUNTIME_VERSION to the supported version whose configuration and status the image follows`
      : `VMCP_IMAGE ${JSON.stringify(image)} has no version tag; set VMCP_RUNTIME_VERSION to the vMCP runtime version it runs (${supported})`,
  );
}
