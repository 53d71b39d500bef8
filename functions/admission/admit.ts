// One AdmissionReview in, one response out: the same path for the Lambda handler and `vmcp-lambda admit`.
// Never throws: anything unexpected denies (fail closed) with a message, still as a well-formed review.
import { mutate } from "../core/admission/mutate.ts";
import {
  type AdmissionRequest,
  type AdmissionResponse,
  AdmissionReview,
  allow,
  deny,
} from "../core/admission/review.ts";
import type { Lookups } from "../core/admission/validate.ts";
import { type Controller, controlledByUs } from "../core/control/controller.ts";
import { onFirstUse } from "../lambda/on-first-use.ts";
import type { HintPublisher } from "./hints.ts";

/** The webhooks' paths: validate and mutate for everyone's writes, fence for ToolHive's operator's alone. */
export type WebhookPath = "validate" | "mutate" | "fence";

export interface AdmitDeps {
  readonly lookUp: (request: AdmissionRequest) => Promise<Lookups>;
  /** The VirtualMCPServer the fence judges an operator's write to one of its children by (none: admitted). */
  readonly lookUpOwner?: (namespace: string, name: string) => Promise<unknown>;
  /** Who controls a VirtualMCPServer without the controller label (default: vmcp-lambda). */
  readonly controller?: Controller;
  readonly publisher: HintPublisher;
  /** Admit (with a warning) when the API server cannot be asked about a reference. Default: refuse. */
  readonly failOpen?: boolean;
  /** The vMCP runtime version the functions deploy (default: the default image's). */
  readonly runtimeVersion?: string;
  /** The functions' own identities: their writes are not hinted back to themselves. */
  readonly ownUsernames?: readonly string[];
  readonly onPublishError?: (error: unknown) => void;
}

export type AdmitResult =
  | { readonly status: 200; readonly review: AdmissionResponse }
  | { readonly status: 400; readonly error: string };

function describeIssues(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.map(String).join(".") || "(root)"}: ${issue.message}`)
    .join("; ");
}

/**
 * What only validations need (zod, the rules, client-node, the AWS SDK), loaded on the first one: it is most
 * of a cold start, and the mutating webhook, called first on every write, needs none of it.
 */
export const validatingModule = onFirstUse(() => import("./validating.ts"));

export async function admit(body: unknown, webhook: WebhookPath, deps: AdmitDeps): Promise<AdmitResult> {
  const parsed = AdmissionReview.safeParse(body);
  if (!parsed.success)
    return {
      status: 400,
      error: `not an admission.k8s.io/v1 AdmissionReview: ${describeIssues(parsed.error)}`,
    };
  const { request } = parsed.data;
  try {
    if (webhook === "validate") {
      const { validate } = await validatingModule();
      return { status: 200, review: await validate(request, deps) };
    }
    if (webhook === "fence") {
      const { fence } = await validatingModule();
      return { status: 200, review: await fence(request, deps) };
    }
    const theirs =
      request.kind.kind === "VirtualMCPServer" && !controlledByUs(request.object, deps.controller);
    // ToolHive's operator's objects get its CRD's defaults only: vmcp-lambda does not write them.
    if ((request.operation !== "CREATE" && request.operation !== "UPDATE") || theirs)
      return { status: 200, review: allow(request.uid) };
    const { patch, warnings } = mutate(request.kind.kind, request.object);
    return { status: 200, review: allow(request.uid, warnings, patch) };
  } catch (error) {
    return {
      status: 200,
      review: deny(request.uid, `vmcp-lambda could not decide: ${(error as Error).message}; try again`),
    };
  }
}
