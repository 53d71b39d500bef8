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
import { onFirstUse } from "../lambda/on-first-use.ts";
import type { HintPublisher } from "./hints.ts";

export type WebhookPath = "validate" | "mutate";

export interface AdmitDeps {
  readonly lookUp: (request: AdmissionRequest) => Promise<Lookups>;
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
    if (request.operation !== "CREATE" && request.operation !== "UPDATE")
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
