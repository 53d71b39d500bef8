// Change hints: after an allowed, non-dryRun write of a kind the reconcile depends on, the admission
// function tells the reconcile side. A hint is only a hint (the write may still be refused later), so a
// failed publish never changes the admission decision.
import type { AdmissionRequest } from "../core/admission-review.ts";

export const HINTED_KINDS = new Set([
  "VirtualMCPServer",
  "MCPServer",
  "MCPRemoteProxy",
  "MCPGroup",
  "MCPExternalAuthConfig",
]);

export interface Hint {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly operation: "CREATE" | "UPDATE" | "DELETE";
  readonly oldResourceVersion: string | undefined;
}

export interface HintPublisher {
  publish(hint: Hint): Promise<void>;
}

/** Keeps hints in memory, for tests and the command line. */
export class RecordingPublisher implements HintPublisher {
  readonly hints: Hint[] = [];
  async publish(hint: Hint): Promise<void> {
    this.hints.push(hint);
  }
}

type Meta = { metadata?: { name?: string; uid?: string; resourceVersion?: string } };

/** The hint for a request, or undefined when none is due (dry run, other kinds, CONNECT, the functions' own writes). */
export function hintFor(request: AdmissionRequest, ownUsernames: readonly string[] = []): Hint | undefined {
  if (request.dryRun || request.operation === "CONNECT" || !HINTED_KINDS.has(request.kind.kind))
    return undefined;
  if (request.userInfo?.username && ownUsernames.includes(request.userInfo.username)) return undefined;
  const object = (request.object ?? request.oldObject) as Meta | undefined;
  const old = request.oldObject as Meta | undefined;
  return {
    kind: request.kind.kind,
    namespace: request.namespace ?? "",
    name: request.name ?? object?.metadata?.name ?? "",
    uid: object?.metadata?.uid ?? old?.metadata?.uid ?? "",
    operation: request.operation,
    oldResourceVersion: old?.metadata?.resourceVersion,
  };
}
