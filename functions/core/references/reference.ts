// The contract of a kind a VirtualMCPServer references by name: which names it references and where
// (field paths, for messages), and what the objects found mean for the vMCP runtime: configuration laid over
// what the spec gives, env, secrets and mounts for the pod, status fields and conditions, or the errors that
// keep anything from being deployed. One resolver per kind; the reconcile and the admission webhook both
// call it, so the webhook refuses exactly what the reconcile would report, in the same words.

import type { z } from "zod";
import type { DesiredCondition } from "../kinds/conditions.ts";
import { type FieldError, isObjectName } from "../kinds/field-errors.ts";
import type { Tree } from "../kinds/json-tree.ts";
import type { Kind } from "../kinds/resources.ts";
import { shown } from "../kinds/shown.ts";
import type { VirtualMCPServer } from "../kinds/toolhive.ts";
import type { PodAdditions } from "../runtime/pod-additions.ts";

/** One reference: the object's name and the spec field that holds it. */
export interface Ref {
  readonly path: string;
  readonly name: string;
}

export interface ResolveInput<T> {
  readonly vmcp: VirtualMCPServer;
  readonly refs: readonly Ref[];
  /** The referenced objects that exist, by name. A ref whose name is absent names a missing object. */
  readonly found: ReadonlyMap<string, T>;
  /** The vMCP runtime version the configuration is for: what it may hold depends on it. */
  readonly runtimeVersion: string;
}

export interface Resolution {
  /** The referenced object is missing or unusable: Valid=False, nothing deployed, the field named. */
  readonly errors: readonly FieldError[];
  /**
   * The referenced object is right but not ready yet (an EmbeddingServer still starting): nothing is
   * deployed, the spec stays Valid, the phase is Pending with this reason and message until its change
   * hint brings the VirtualMCPServer back.
   */
  readonly waiting?: { readonly reason: string; readonly message: string };
  /** Upstream's condition for the reference, when the spec makes one. */
  readonly conditions: readonly DesiredCondition[];
  /** Laid over the runtime configuration the spec renders to; only called when there are no errors. */
  readonly config?: (config: Tree) => Tree;
  readonly pod?: Partial<PodAdditions>;
  /** Top-level status fields (a content hash of the object, as upstream keeps one). */
  readonly status?: Readonly<Record<string, string>>;
}

export interface Reference<K extends Kind = Kind, S extends z.ZodType = z.ZodType> {
  readonly kind: K;
  readonly schema: S;
  /** Every reference the spec makes to this kind, in document order (names repeat when fields do). */
  readonly refs: (vmcp: VirtualMCPServer) => readonly Ref[];
  readonly resolve: (input: ResolveInput<z.infer<S>>) => Resolution;
  /**
   * How the resync reads this kind for every VirtualMCPServer at once: one LIST of the kind (the default),
   * or a GET of each name the VirtualMCPServers reference, for a core kind whose objects a cluster holds in
   * numbers that no VirtualMCPServer names (ConfigMaps: a LIST would carry every one's data).
   */
  readonly resyncReads?: "list" | "names";
}

/**
 * The reference a field makes, if its value can name an object at all: a value that is no object name is a
 * spec error (spec-problems.ts), and looking it up could only mislead ("g/status" would read g).
 */
export const refAt = (path: string, name: unknown): Ref[] =>
  typeof name === "string" && isObjectName(name) ? [{ path, name }] : [];

/** A reference, its kind and schema kept literal for the snapshot's type. */
export const reference = <K extends Kind, S extends z.ZodType>(entry: Reference<K, S>): Reference<K, S> =>
  entry;

/** The one wording of a missing object, the webhook's and the reconcile's alike. */
export const notFound = (ref: Ref, kind: string, namespace: string): FieldError => ({
  path: ref.path,
  message: `${kind} ${shown(ref.name)} not found in namespace ${shown(namespace)}; create it or fix the name`,
});

/** The errors for every ref whose object is missing. */
export const missingRefs = <T>(input: ResolveInput<T>, kind: string): FieldError[] =>
  input.refs
    .filter((ref) => !input.found.has(ref.name))
    .map((ref) => notFound(ref, kind, input.vmcp.metadata.namespace ?? ""));
