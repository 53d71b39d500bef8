// AdmissionReview admission.k8s.io/v1 as the API server sends it, and the responses the webhook returns.
// zod/mini: this schema is on every admission request's path, including a cold start's, where classic zod's
// load time was most of the mutating webhook's (BENCHMARKS.md, cold start). biome.json's rules for the
// mutating path and test/unit/bundles.test.ts fail if classic zod comes back.
import * as z from "zod/mini";

const GroupVersionKind = z.object({ group: z.string(), version: z.string(), kind: z.string() });

export const AdmissionRequest = z.looseObject({
  uid: z.string().check(z.minLength(1)),
  kind: GroupVersionKind,
  resource: z.looseObject({ group: z.string(), version: z.string(), resource: z.string() }),
  subResource: z.optional(z.string()),
  name: z.optional(z.string()),
  namespace: z.optional(z.string()),
  operation: z.enum(["CREATE", "UPDATE", "DELETE", "CONNECT"]),
  userInfo: z.optional(
    z.looseObject({ username: z.optional(z.string()), groups: z.optional(z.array(z.string())) }),
  ),
  object: z.optional(z.unknown()),
  oldObject: z.optional(z.unknown()),
  dryRun: z.optional(z.boolean()),
});
export type AdmissionRequest = z.infer<typeof AdmissionRequest>;

export const AdmissionReview = z.looseObject({
  apiVersion: z.literal("admission.k8s.io/v1"),
  kind: z.literal("AdmissionReview"),
  request: AdmissionRequest,
});
export type AdmissionReview = z.infer<typeof AdmissionReview>;

export interface AdmissionResponse {
  readonly apiVersion: "admission.k8s.io/v1";
  readonly kind: "AdmissionReview";
  readonly response: {
    uid: string;
    allowed: boolean;
    status?: { code: number; reason?: string; message: string };
    patchType?: "JSONPatch";
    patch?: string;
    warnings?: string[];
  };
}

const envelope = (response: AdmissionResponse["response"]): AdmissionResponse => ({
  apiVersion: "admission.k8s.io/v1",
  kind: "AdmissionReview",
  response,
});

/** Allowed, with a base64 JSONPatch only when there is something to patch. */
export function allow(
  uid: string,
  warnings: readonly string[] = [],
  patch: readonly unknown[] = [],
): AdmissionResponse {
  return envelope({
    uid,
    allowed: true,
    ...(patch.length > 0
      ? { patchType: "JSONPatch", patch: Buffer.from(JSON.stringify(patch)).toString("base64") }
      : {}),
    ...(warnings.length > 0 ? { warnings: [...warnings] } : {}),
  });
}

/** Denied with 403 Forbidden (as controller-runtime does), the message saying what to fix. */
export function deny(uid: string, message: string, warnings: readonly string[] = []): AdmissionResponse {
  return envelope({
    uid,
    allowed: false,
    status: { code: 403, reason: "Forbidden", message },
    ...(warnings.length > 0 ? { warnings: [...warnings] } : {}),
  });
}
