// The validating webhook's path of admit(): the decision, with lookups, and the change hint after an
// allowed write. Its own module so that admit() loads it (and zod) only when a validation comes
// (test/unit/bundles.test.ts checks that index.mjs does not load it).
import { type AdmissionRequest, type AdmissionResponse, allow, deny } from "../core/admission/review.ts";
import { decideValidation } from "../core/admission/validate.ts";
import type { AdmitDeps } from "./admit.ts";
import { hintFor } from "./hints.ts";

export async function validate(request: AdmissionRequest, deps: AdmitDeps): Promise<AdmissionResponse> {
  const needsLookups =
    request.kind.kind === "VirtualMCPServer" &&
    (request.operation === "CREATE" || request.operation === "UPDATE");
  const lookups = needsLookups ? await deps.lookUp(request) : { authConfigs: new Map() };
  const decision = decideValidation(request, lookups, {
    failOpen: deps.failOpen ?? false,
    runtimeVersion: deps.runtimeVersion,
  });
  if (!decision.allowed) return deny(request.uid, decision.message ?? "refused", decision.warnings);
  const hint = hintFor(request, deps.ownUsernames);
  if (hint) await deps.publisher.publish(hint).catch((error: unknown) => deps.onPublishError?.(error));
  return allow(request.uid, decision.warnings);
}
