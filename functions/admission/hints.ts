// Change hints: after an allowed, non-dryRun write of a kind the reconcile depends on, the admission
// function tells the reconcile side. A hint is only a hint (the write may still be refused later), so a
// failed publish never changes the admission decision.

import type { AdmissionRequest } from "../core/admission/review.ts";
import { type ChangeHint, HintedKind } from "../core/delivery/change-hint.ts";
import type { DeploymentStatus } from "../core/kinds/kubernetes.ts";
import { groupsNamedBy } from "../core/reconcile/related-kinds.ts";

export interface HintPublisher {
  publish(hint: ChangeHint): Promise<void>;
}

/** Keeps hints in memory, for tests and the command line. */
export class RecordingPublisher implements HintPublisher {
  readonly hints: ChangeHint[] = [];
  async publish(hint: ChangeHint): Promise<void> {
    this.hints.push(hint);
  }
}

type Meta = { metadata?: { name?: string; uid?: string; resourceVersion?: string } };
type Deployment = { status?: DeploymentStatus };

/** For members: the groups the object named before and after the write. */
const groupsOf = (kind: string, ...objects: unknown[]) => [
  ...new Set(objects.flatMap((object) => groupsNamedBy(kind, object))),
];

/** A Deployment's status change matters only when its availability does. */
function availability(object: unknown): string {
  const status = (object as Deployment | undefined)?.status;
  const available = status?.conditions?.find((c) => c.type === "Available")?.status ?? "Unknown";
  return `${available}/${status?.readyReplicas ?? 0}`;
}

/** The hint for a request, or undefined when none is due (dry run, other kinds, CONNECT, the functions' own writes). */
export function hintFor(
  request: AdmissionRequest,
  ownUsernames: readonly string[] = [],
  at: number = Date.now(),
): ChangeHint | undefined {
  const kind = HintedKind.safeParse(request.kind.kind);
  if (request.dryRun || request.operation === "CONNECT" || !kind.success) return undefined;
  if (request.userInfo?.username && ownUsernames.includes(request.userInfo.username)) return undefined;
  if (kind.data === "Deployment" && availability(request.oldObject) === availability(request.object))
    return undefined;
  const object = (request.object ?? request.oldObject) as Meta | undefined;
  const old = request.oldObject as Meta | undefined;
  return {
    kind: kind.data,
    namespace: request.namespace ?? "",
    name: request.name ?? object?.metadata?.name ?? "",
    uid: object?.metadata?.uid ?? old?.metadata?.uid ?? "",
    operation: request.operation,
    oldResourceVersion: old?.metadata?.resourceVersion,
    groups: groupsOf(kind.data, request.oldObject, request.object),
    at,
  };
}
