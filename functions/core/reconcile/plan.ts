// Reconcile as a pure function: from a snapshot of what the cluster holds, what to write. The shell reads
// the snapshot, calls this, and performs exactly the writes it returns.

import { specProblems } from "../admission/spec-problems.ts";
import { type Controller, controlledByUs } from "../control/controller.ts";
import { type OwnershipOp, type OwnershipPatch, release, takeOver } from "../control/handover.ts";
import { formatErrors } from "../kinds/field-errors.ts";
import { deeperThan, MAX_SPEC_DEPTH } from "../kinds/json-tree.ts";
import type { KubeObject } from "../kinds/kubernetes.ts";
import { childNames, FIELD_MANAGER, statusUrl } from "../kinds/names.ts";
import {
  groupOf,
  type Mode,
  modeOf,
  outgoingAuthEntries,
  type VirtualMCPServer,
  workloadGroup,
} from "../kinds/toolhive.ts";
import { resolveReferences } from "../references/references.ts";
import { authServerOf } from "../runtime/auth-server.ts";
import { authServerCondition } from "../runtime/auth-server-conditions.ts";
import { integrationProblems } from "../runtime/auth-server-integration.ts";
import { embeddedAuthServer } from "../runtime/auth-server-run-config.ts";
import { runtimeConfig, sessionStorageEnv } from "../runtime/config.ts";
import { unknownSettingWarning } from "../runtime/config-fit.ts";
import { discoverBackends, memberPodAdditions } from "../runtime/discovery.ts";
import {
  type AuthConfigs,
  type AuthServer,
  resolveBackendAuth,
  type SecretEnv,
} from "../runtime/outgoing-auth.ts";
import { mergePodAdditions } from "../runtime/pod-additions.ts";
import { withPrimaryUpstream } from "../runtime/primary-upstream.ts";
import { readRuntimeReport } from "../runtime/report.ts";
import type { RuntimeProfile } from "../runtime/versions.ts";
import { deploymentState } from "./deployment-state.ts";
import { type Child, desiredChildren } from "./desired-children.ts";
import { desiredStatus } from "./desired-status.ts";
import { childInPlace, holds, statusInPlace, withAppliedHash } from "./drift.ts";
import { validatePodTemplatePatch } from "./pod-template-merge.ts";
import type { RelatedObjects } from "./related-kinds.ts";
import { type JsonPatchOp, statusHandover } from "./status-handover.ts";
import { groupReady } from "./status-headline.ts";

/** What one reconcile reads: the object, its related objects (RELATED) and its live children. */
export interface Snapshot extends RelatedObjects {
  readonly vmcp: VirtualMCPServer;
  /** Live objects of the kinds the functions create, in the namespace, that this object controls or names. */
  readonly children: readonly KubeObject[];
}

/**
 * `invalid`: the spec itself is wrong. `blocked`: an object it references (its MCPGroup, an
 * MCPExternalAuthConfig) is missing or unusable. Either way nothing is deployed and the status says why.
 * Neither is retried on a timer: the change hint of the write that fixes it brings the VirtualMCPServer
 * back, and the resync is the backstop. `elsewhere`: ToolHive's operator controls it (control/controller.ts);
 * vmcp-lambda only takes its own marks off what it controlled before.
 */
export type PlanOutcome = "ok" | "blocked" | "invalid" | "elsewhere";

export interface Plan {
  readonly mode: Mode;
  readonly outcome: PlanOutcome;
  readonly apply: readonly Child[];
  /** Children the object controls that it should no longer have. */
  readonly remove: readonly { kind: string; name: string }[];
  /** Children in `apply` that do not exist yet (for Events). */
  readonly created: readonly string[];
  readonly status: Record<string, unknown> | undefined;
  readonly fallbackStatus: Record<string, unknown> | undefined;
  /** Sent before the status applies: a JSON patch removing runtime fields the functions still hold. */
  readonly statusHandover: JsonPatchOp[] | undefined;
  /**
   * Ownership moving between ToolHive's operator and vmcp-lambda (control/handover.ts): the children's
   * patches, sent before the applies (taking over) or alone (leaving), then the status's.
   */
  readonly ownership: readonly OwnershipPatch[];
  readonly statusOwnership: readonly OwnershipOp[] | undefined;
  /** Settings left out of the runtime's configuration, said when that configuration is being written. */
  readonly droppedConfig: readonly string[];
}

export interface PlanOptions {
  readonly image: string;
  /** The runtime the image runs: its config schema and status shape. */
  readonly runtime: RuntimeProfile;
  readonly now: string;
  /** The install's default controller, for objects without the controller label (vmcp-lambda if unset). */
  readonly controller?: Controller;
}

const NOTHING = {
  apply: [],
  created: [],
  remove: [],
  status: undefined,
  fallbackStatus: undefined,
  statusHandover: undefined,
  ownership: [],
  statusOwnership: undefined,
  droppedConfig: [],
} as const;

/** Another controller has the object: vmcp-lambda takes its marks off the children, then its status. */
function leave(snapshot: Snapshot, now: string): Plan {
  return {
    ...NOTHING,
    mode: modeOf(snapshot.vmcp),
    outcome: "elsewhere",
    ownership: snapshot.children.flatMap((child) => {
      const patch = release(child, "", now);
      return patch ? [{ kind: child.kind ?? "", name: child.metadata.name, patch }] : [];
    }),
    statusOwnership: release(snapshot.vmcp as VirtualMCPServer & KubeObject, "status", now),
  };
}

const childKey = (kind: string | undefined, name: string) => `${kind}/${name}`;

function specAuthErrors(
  vmcp: VirtualMCPServer,
  configs: AuthConfigs,
  server: AuthServer | undefined,
): { errors: string | undefined; env: SecretEnv[] } {
  const problems: string[] = [];
  const env: SecretEnv[] = [];
  for (const [path, auth] of outgoingAuthEntries(vmcp.spec.outgoingAuth)) {
    if (auth.type !== "externalAuthConfigRef") continue;
    const resolved = resolveBackendAuth(auth, configs, undefined, server);

    if (resolved.ok) env.push(...resolved.env);
    else problems.push(`${path}: ${resolved.reason}`);
  }
  return { errors: problems.length ? problems.join("; ") : undefined, env };
}

export function planReconcile(snapshot: Snapshot, options: PlanOptions): Plan {
  const { vmcp } = snapshot;
  const { now } = options;
  const name = vmcp.metadata.name;
  const namespace = vmcp.metadata.namespace ?? "";
  const mode = modeOf(vmcp);
  const groupName = groupOf(vmcp) ?? "";
  const configs: AuthConfigs = new Map(snapshot.authConfigs.map((c) => [c.metadata.name, c]));
  const members = snapshot.workloads.filter((w) => groupName !== "" && workloadGroup(w) === groupName);
  const live = new Map(snapshot.children.map((c) => [childKey(c.kind, c.metadata.name), c]));

  // Being deleted: garbage collection takes the children; writing them now would only race it.
  if (vmcp.metadata.deletionTimestamp) return { ...NOTHING, mode, outcome: "ok" };
  if (!controlledByUs(vmcp, options.controller)) return leave(snapshot, now);
  const {
    errors: checkedErrors,
    fit: configFit,
    authServer: authServerErrors,
    primaryUpstream,
  } = specProblems(vmcp, options.runtime.version);

  // A pod template too deep to walk is already a spec error (specProblems).
  const podTemplate = vmcp.spec.podTemplateSpec;
  const podErrors =
    podTemplate === undefined || deeperThan(podTemplate, MAX_SPEC_DEPTH)
      ? []
      : validatePodTemplatePatch(podTemplate);
  const server = authServerOf(vmcp);
  const auth = specAuthErrors(vmcp, configs, server);
  const previous = vmcp.status?.discoveredBackends ?? [];
  const discovery =
    mode === "static"
      ? discoverBackends(members, vmcp.spec.outgoingAuth, configs, previous, now, server)
      : undefined;
  // What the pod needs for the members: in static mode for the backends discovered; in dynamic mode for
  // every member the runtime may find (it resolves them at run time).
  const memberPod = discovery?.pod ?? memberPodAdditions(members, configs, server);

  // A group whose controller (ToolHive's) says it is not Ready is waited for, as upstream does.
  const group = {
    name: groupName,
    found: snapshot.group !== undefined,
    phase: snapshot.group?.status?.phase,
  };
  const groupUsable = group.found && groupReady(group);
  // Objects the spec names: missing or unusable ones keep anything from being deployed, like a bad spec.
  const references = resolveReferences(vmcp, snapshot, options.runtime.version);
  const checked =
    checkedErrors.length > 0 ||
    podErrors.length > 0 ||
    !groupUsable ||
    auth.errors !== undefined ||
    references.errors.length > 0 ||
    references.waiting !== undefined;
  const candidate = checked
    ? undefined
    : withPrimaryUpstream(
        vmcp,
        references.config(runtimeConfig(vmcp, mode, discovery, configs, configFit.config, server)),
      );
  // The embedded authorization server's file, and upstream's checks between it and config.yaml: they need
  // the incoming OIDC settings as rendered, so they come last, and a failure is a spec error like any other.
  const embedded = candidate && embeddedAuthServer(vmcp, candidate);
  const integrationErrors = candidate && embedded ? integrationProblems(candidate, embedded.runConfig) : [];
  const specErrors = [...checkedErrors, ...integrationErrors];
  const blocked = checked || integrationErrors.length > 0;
  const rendered = integrationErrors.length ? undefined : candidate;
  const children = rendered
    ? desiredChildren({
        vmcp,
        mode,
        image: options.image,
        pod: mergePodAdditions(
          { secretEnv: [...auth.env, ...sessionStorageEnv(vmcp)] },
          memberPod,
          ...references.pod,
          embedded?.pod ?? {},
        ),
        runtimeConfig: rendered,
        ...(embedded ? { authServerConfig: embedded.runConfig } : {}),
      }).map(withAppliedHash)
    : [];

  // Fields the operator wrote become vmcp-lambda's, and the apply right after removes those it does not want.
  const ownership = children.flatMap((c) => {
    const child = live.get(childKey(c.kind, c.metadata.name));
    const patch = child && takeOver(child, "", now);
    return patch ? [{ kind: c.kind, name: c.metadata.name, patch }] : [];
  });
  const takenOver = new Set(ownership.map((o) => childKey(o.kind, o.name)));
  const apply = children.filter(
    (c) =>
      takenOver.has(childKey(c.kind, c.metadata.name)) ||
      !childInPlace(c, live.get(childKey(c.kind, c.metadata.name))),
  );
  const deployment = live.get(childKey("Deployment", childNames(name).deployment));
  const nextDeployment = apply.find((c) => c.kind === "Deployment");
  const status = desiredStatus({
    vmcp,
    mode,
    now,
    url: statusUrl(name, namespace),
    specErrors: specErrors.length ? formatErrors(specErrors) : undefined,
    references: {
      ...references,
      conditions: [
        ...references.conditions,
        ...authServerCondition(vmcp, [...authServerErrors, ...integrationErrors], primaryUpstream),
      ],
    },
    podTemplateErrors: podErrors.length ? formatErrors(podErrors) : undefined,
    group,
    authErrors: auth.errors,
    discovery,
    deployment: deploymentState(
      deployment as { metadata: { generation?: number }; status?: unknown } | undefined,
      // Being created, or its spec changing (a new generation, so a rollout): not available as it stands.
      nextDeployment !== undefined &&
        !holds(nextDeployment.spec, (deployment as { spec?: unknown } | undefined)?.spec),
    ),
    report: mode === "dynamic" ? readRuntimeReport(vmcp, now, options.runtime.statusShape) : undefined,
    shape: options.runtime.statusShape,
  });

  const wanted = new Set(children.map((c) => childKey(c.kind, c.metadata.name)));
  const controlled = (c: KubeObject) =>
    (
      (c.metadata as { ownerReferences?: { uid?: string; controller?: boolean }[] }).ownerReferences ?? []
    ).some((ref) => ref.controller && ref.uid === vmcp.metadata.uid);
  const statusNow = vmcp as VirtualMCPServer & KubeObject;
  // Only a runtime that writes the top level takes fields over from the functions.
  const handover = options.runtime.statusShape === "top-level" ? statusHandover(vmcp) : undefined;
  const statusOwnership = takeOver(statusNow, "status", now);
  return {
    mode,
    outcome: specErrors.length || podErrors.length ? "invalid" : blocked ? "blocked" : "ok",
    apply,
    created: apply
      .filter((c) => !live.has(childKey(c.kind, c.metadata.name)))
      .map((c) => childKey(c.kind, c.metadata.name)),
    remove: blocked
      ? []
      : snapshot.children
          .filter((c) => controlled(c) && !wanted.has(childKey(c.kind, c.metadata.name)))
          .map((c) => ({ kind: c.kind ?? "", name: c.metadata.name })),
    status:
      !statusOwnership && statusInPlace(status.main, statusNow, FIELD_MANAGER) ? undefined : status.main,
    // After a handover removed phase, message and Ready, the fallback must write them even if they held.
    fallbackStatus:
      status.fallback && (handover || !holds(status.fallback, vmcp.status ?? {}))
        ? status.fallback
        : undefined,
    statusHandover: handover,
    ownership,
    statusOwnership,
    // Named once, when the configuration that leaves them out is written, not on every reconcile.
    droppedConfig: apply.some((c) => c.kind === "ConfigMap")
      ? configFit.unknown.map((path) => unknownSettingWarning(path, options.runtime.version))
      : [],
  };
}
