// MCPServerEntry members: remote MCP servers the vMCP pod reaches directly, with no proxy between. What the
// pod needs for one (its CA bundle mounted, its forwarded headers as env) and how healthy it is, as
// ToolHive's operator and runtime spell them, so the runtime of either supported version reads them back.
import { createHash } from "node:crypto";
import type { ServerEntry } from "../kinds/toolhive.ts";
import type { SecretEnv } from "./outgoing-auth.ts";
import { type ConfigMapMount, configMapFile, type PlainEnv, type PodAdditions } from "./pod-additions.ts";

/** Where the operator mounts an entry's CA bundle ConfigMap: one directory per entry. */
const CA_BUNDLE_DIR = "/etc/toolhive/ca-bundles";
const DEFAULT_CA_KEY = "ca.crt";
/** A ConfigMap key the kubelet writes as a file of that name and the runtime takes in a path (no ".."). */
const FILE_KEY = /^[-._a-zA-Z0-9]+$/;
const VOLUME_NAME_MAX = 63;

/** The runtime's env name spelling (wirefmt.NormalizeForEnvVar): upper case, anything else an underscore. */
const envSegment = (s: string) => s.toUpperCase().replace(/[^A-Z0-9_]/g, "_");

/** The runtime reads an entry's header manifest from TOOLHIVE_HEADER_FORWARD_<ENTRY> (static mode). */
export const headerManifestEnv = (entry: string) => `TOOLHIVE_HEADER_FORWARD_${envSegment(entry)}`;

/** The identifier a secret-backed header resolves through: env TOOLHIVE_SECRET_<identifier>. */
const headerSecretId = (entry: string, header: string) =>
  `HEADER_FORWARD_${envSegment(header)}_${envSegment(entry)}`;

/** ca-bundle-<entry>, or for names past a volume name's 63 characters a truncated one with a hash. */
export function caBundleVolume(entry: string): string {
  const name = `ca-bundle-${entry}`;
  if (name.length <= VOLUME_NAME_MAX) return name;
  const hash = createHash("sha256").update(entry).digest("hex").slice(0, 8);
  const room = VOLUME_NAME_MAX - "ca-bundle-".length - 1 - hash.length;
  return `ca-bundle-${entry.slice(0, room).replace(/-+$/, "")}-${hash}`;
}

export type EntryHealth = { usable: boolean; status: string; message: string };

/**
 * An entry is routed to only once ToolHive's entry controller found its references sound (phase Valid),
 * as the runtime does: Failed is unavailable, Pending or no phase yet unknown.
 */
export function entryHealth(entry: ServerEntry): EntryHealth {
  const phase = entry.status?.phase;
  if (phase === "Valid") return { usable: true, status: "ready", message: "MCPServerEntry is Valid" };
  const why = entry.status?.conditions?.find((c) => c.type === "Valid")?.message;
  const message = `MCPServerEntry phase is ${phase ?? "not reported yet"}${why ? ` (${why})` : ""}`;
  return { usable: false, status: phase === "Failed" ? "unavailable" : "unknown", message };
}

export type CABundle =
  | { readonly ok: true; readonly path?: string; readonly mount?: ConfigMapMount }
  | { readonly ok: false; readonly reason: string };

/** The entry's CA bundle as a mounted ConfigMap key, and the path the runtime reads it at. */
export function caBundleOf(entry: ServerEntry): CABundle {
  const ref = entry.spec.caBundleRef?.configMapRef;
  if (!ref?.name) return { ok: true };
  const key = ref.key || DEFAULT_CA_KEY;
  if (!FILE_KEY.test(key) || key === "." || key.includes(".."))
    return {
      ok: false,
      reason: `spec.caBundleRef.configMapRef.key "${key}" cannot be a file name; use a key such as ${DEFAULT_CA_KEY}`,
    };
  const name = entry.metadata.name;
  return { ok: true, ...configMapFile(caBundleVolume(name), ref.name, `${CA_BUNDLE_DIR}/${name}`, key) };
}

/**
 * The entry's forwarded headers as the pod's env: one manifest (plaintext values inline, secret-backed
 * headers by identifier), and each secret-backed value from its Secret. Keys in a fixed order (upstream's
 * field order, headers sorted), so the same entry always gives the same env and the Deployment no churn.
 */
export function headerForwardEnv(entry: ServerEntry): { env: PlainEnv[]; secretEnv: SecretEnv[] } {
  const forward = entry.spec.headerForward;
  const name = entry.metadata.name;
  const sorted = (map: Record<string, string>) =>
    Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const secretEnv: SecretEnv[] = [];
  const fromSecret: Record<string, string> = {};
  for (const header of forward?.addHeadersFromSecret ?? []) {
    const ref = header.valueSecretRef;
    if (!ref?.name || !ref.key) continue;
    const id = headerSecretId(name, header.headerName);
    fromSecret[header.headerName] = id;
    secretEnv.push({ name: `TOOLHIVE_SECRET_${id}`, secret: ref.name, key: ref.key });
  }
  const plaintext = forward?.addPlaintextHeaders ?? {};
  const manifest = {
    ...(Object.keys(plaintext).length ? { addPlaintextHeaders: sorted(plaintext) } : {}),
    ...(Object.keys(fromSecret).length ? { addHeadersFromSecret: sorted(fromSecret) } : {}),
  };
  const env = Object.keys(manifest).length
    ? [{ name: headerManifestEnv(name), value: JSON.stringify(manifest) }]
    : [];
  return { env, secretEnv };
}

/** Everything the vMCP pod needs for one entry, besides the secrets of its auth config. */
export function entryPodAdditions(entry: ServerEntry): PodAdditions {
  const ca = caBundleOf(entry);
  const headers = headerForwardEnv(entry);
  return { ...headers, mounts: ca.ok && ca.mount ? [ca.mount] : [], secretVolumes: [] };
}
