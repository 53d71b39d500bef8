// What the vMCP pod needs besides its configuration file, as the resolution of a spec field or a
// referenced object says it: secrets as env (never read by the functions, only named), plain env, and
// ConfigMaps mounted as files (CA bundles, policies). Gathered from every source and laid into the pod
// template in one deterministic order, so the same inputs give the same Deployment.

import type { SecretEnv } from "./outgoing-auth.ts";

/** A plain environment variable whose value is not a secret (OTEL settings, header names). */
export interface PlainEnv {
  readonly name: string;
  readonly value: string;
}

/**
 * A ConfigMap mounted read-only into the vMCP container as a directory: every key a file, or only `key`
 * (at `<mountPath>/<key>`). No subPath, so the kubelet keeps the files current when the ConfigMap changes.
 */
export interface ConfigMapMount {
  /** The volume's name in the pod; unique per pod, so it should name its purpose and its source. */
  readonly volume: string;
  readonly configMap: string;
  readonly mountPath: string;
  /** The one key to mount, as a file of the same name. */
  readonly key?: string;
}

/**
 * Keys of Secrets mounted read-only as files of one directory (signing keys, HMAC secrets): a projected
 * volume, so several Secrets share the directory without subPath and the kubelet keeps the files current.
 * Only named here; the functions never read the Secrets.
 */
export interface SecretVolume {
  readonly volume: string;
  readonly mountPath: string;
  readonly files: readonly { readonly secret: string; readonly key: string; readonly path: string }[];
}

/**
 * One key of a ConfigMap mounted as a file (a CA bundle, say): the mount, and the path the runtime is told to
 * read it at, made together so the two cannot disagree.
 */
export function configMapFile(
  volume: string,
  configMap: string,
  dir: string,
  key: string,
): { readonly path: string; readonly mount: ConfigMapMount } {
  return { path: `${dir}/${key}`, mount: { volume, configMap, mountPath: dir, key } };
}

export interface PodAdditions {
  readonly secretEnv: readonly SecretEnv[];
  readonly env: readonly PlainEnv[];
  readonly mounts: readonly ConfigMapMount[];
  readonly secretVolumes: readonly SecretVolume[];
}

export const NO_POD_ADDITIONS: PodAdditions = { secretEnv: [], env: [], mounts: [], secretVolumes: [] };

/**
 * Everything the sources add, one entry per name: the first source to name an env variable or a volume
 * keeps it (sources are given in a fixed order), then each list sorted by name.
 */
export function mergePodAdditions(...sources: readonly Partial<PodAdditions>[]): PodAdditions {
  const firstByName = <T>(items: readonly T[], name: (item: T) => string): T[] => {
    const kept = new Map<string, T>();
    for (const item of items) if (!kept.has(name(item))) kept.set(name(item), item);
    return [...kept.values()].sort((a, b) => name(a).localeCompare(name(b)));
  };
  return {
    secretEnv: firstByName(
      sources.flatMap((s) => s.secretEnv ?? []),
      (e) => e.name,
    ),
    env: firstByName(
      sources.flatMap((s) => s.env ?? []),
      (e) => e.name,
    ),
    mounts: firstByName(
      sources.flatMap((s) => s.mounts ?? []),
      (m) => m.volume,
    ),
    secretVolumes: firstByName(
      sources.flatMap((s) => s.secretVolumes ?? []),
      (v) => v.volume,
    ),
  };
}
