// The validating webhook's path of admit(): the decision, with lookups, and the change hint after an
// allowed write; and the fence's path, for ToolHive's operator's writes. Its own module so that admit()
// loads it (and zod) only when a validation comes (test/unit/bundles.test.ts checks that index.mjs does
// not load it).

import { type AdmissionRequest, type AdmissionResponse, allow, deny } from "../core/admission/review.ts";
import { decideValidation } from "../core/admission/validate.ts";
import { controlledByUs, controllerLabelProblem, DEFAULT_CONTROLLER } from "../core/control/controller.ts";
import { fenceByOwner, fenceByRequest, fencedOwner } from "../core/control/fence.ts";
import type { AdmitDeps } from "./admit.ts";
import { hintFor } from "./hints.ts";

/** A VirtualMCPServer's write that vmcp-lambda neither judges nor reconciles: ToolHive's operator has it. */
function elsewhere(request: AdmissionRequest, deps: AdmitDeps): boolean {
  // A delete is judged by the object as it was; a write by the object as it will be.
  return (
    request.kind.kind === "VirtualMCPServer" &&
    !controlledByUs(request.operation === "DELETE" ? request.oldObject : request.object, deps.controller)
  );
}

export async function validate(request: AdmissionRequest, deps: AdmitDeps): Promise<AdmissionResponse> {
  const writesSpec =
    request.kind.kind === "VirtualMCPServer" &&
    (request.operation === "CREATE" || request.operation === "UPDATE");
  const labelProblem =
    writesSpec && !request.subResource ? controllerLabelProblem(request.object) : undefined;
  if (labelProblem) return deny(request.uid, labelProblem);
  const hint = () => hintFor(request, deps.ownUsernames);
  if (elsewhere(request, deps)) {
    // Not vmcp-lambda's to judge. Hinted only when it was vmcp-lambda's: the reconcile then hands it over.
    const wasOurs = request.oldObject !== undefined && controlledByUs(request.oldObject, deps.controller);
    const due = wasOurs ? hint() : undefined;
    if (due) await deps.publisher.publish(due).catch((error: unknown) => deps.onPublishError?.(error));
    return allow(request.uid);
  }
  const lookups = writesSpec ? await deps.lookUp(request) : { authConfigs: new Map() };
  const decision = decideValidation(request, lookups, {
    failOpen: deps.failOpen ?? false,
    runtimeVersion: deps.runtimeVersion,
  });
  if (!decision.allowed) return deny(request.uid, decision.message ?? "refused", decision.warnings);
  const due = hint();
  if (due) await deps.publisher.publish(due).catch((error: unknown) => deps.onPublishError?.(error));
  return allow(request.uid, decision.warnings);
}

/** The fence: ToolHive's operator's write to a VirtualMCPServer vmcp-lambda controls, or to its children. */
export async function fence(request: AdmissionRequest, deps: AdmitDeps): Promise<AdmissionResponse> {
  const fallback = deps.controller ?? DEFAULT_CONTROLLER;
  let verdict = fenceByRequest(request, fallback);
  if (verdict === "lookup") {
    const owner = await deps
      .lookUpOwner?.(request.namespace ?? "", fencedOwner(request) ?? "")
      .catch(() => undefined);
    verdict = fenceByOwner(request, owner, fallback);
  }
  return verdict.allowed ? allow(request.uid) : deny(request.uid, verdict.message);
}
