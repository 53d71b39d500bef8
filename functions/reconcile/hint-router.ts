// The hint router Lambda, the bus rule's target: turns one change hint into reconcile requests for the
// VirtualMCPServers it affects and queues them. Members, groups and auth configs are expanded with one
// LIST of the namespace's VirtualMCPServers, narrowed by the group label the mutating webhook sets, and to
// those vmcp-lambda controls (core/control/controller.ts).
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { KubeConfig } from "@kubernetes/client-node";
import type { EventBridgeEvent } from "aws-lambda";
import { type Controller, controlledByUs } from "../core/control/controller.ts";
import {
  ChangeHint,
  expandHint,
  isDirect,
  type ReconcileRequest,
  selectorFor,
} from "../core/delivery/change-hint.ts";
import { VirtualMCPServer } from "../core/kinds/toolhive.ts";
import { listObjects } from "../kube/api.ts";
import type { Observability } from "../lambda/host.ts";
import { reconcileSideFunction } from "../lambda/reconcile-side.ts";

export interface RouterDeps extends Observability {
  readonly kubeConfig: () => Promise<KubeConfig>;
  readonly send: (requests: readonly ReconcileRequest[]) => Promise<void>;
  /** Who controls an object without the controller label: only vmcp-lambda's objects are queued. */
  readonly controller?: Controller;
}

export function routerHandler(deps: RouterDeps) {
  return async (event: EventBridgeEvent<string, unknown>): Promise<{ queued: number }> => {
    const parsed = ChangeHint.safeParse(event.detail);
    if (!parsed.success) {
      deps.logger.warn("dropping an event that is not a change hint", {
        id: event.id,
        issues: parsed.error.issues,
      });
      deps.metrics.addMetric("HintDropped", MetricUnit.Count, 1);
      return { queued: 0 };
    }
    const hint = parsed.data;
    let vmcps: VirtualMCPServer[] = [];
    if (!isDirect(hint)) {
      const items = await listObjects(await deps.kubeConfig(), "VirtualMCPServer", {
        namespace: hint.namespace,
        labelSelector: selectorFor(hint),
      });
      vmcps = items.flatMap((item) => {
        const vmcp = VirtualMCPServer.safeParse(item);
        return vmcp.success && controlledByUs(vmcp.data, deps.controller) ? [vmcp.data] : [];
      });
    }
    const requests = expandHint(hint, vmcps);
    await deps.send(requests);
    deps.metrics.addMetric("ReconcilesQueued", MetricUnit.Count, requests.length);
    deps.logger.info("hint routed", {
      kind: hint.kind,
      namespace: hint.namespace,
      name: hint.name,
      uid: hint.uid,
      trigger: "hint",
      queued: requests.map((r) => r.name),
    });
    return { queued: requests.length };
  };
}

export const handler = reconcileSideFunction("router", (settings, tools) =>
  routerHandler({
    ...tools,
    controller: settings.controller,
    send: (requests) => tools.enqueue(requests),
  }),
);
