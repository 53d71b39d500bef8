// What is wrong with a VirtualMCPServer by itself, as field errors that say how to fix it. Shared by the
// admission webhook and the reconcile (which must not trust that the webhook ran).

import { type FieldError, isDnsLabel, isObjectName, MAX_NAME_LENGTH } from "../kinds/field-errors.ts";
import { deeperThan, isTree, MAX_SPEC_DEPTH, type Tree } from "../kinds/json-tree.ts";
import { shown } from "../kinds/shown.ts";
import { type BackendAuth, groupOf, outgoingAuthEntries, type VirtualMCPServer } from "../kinds/toolhive.ts";
import { authServerProblems } from "../runtime/auth-server.ts";
import { specConfigProblems } from "../runtime/config-fit.ts";
import { primaryUpstreamProblem } from "../runtime/primary-upstream.ts";
import { unrenderable } from "../runtime/renderable.ts";
import { runtimeRuleErrors } from "../runtime/rules.ts";

// A reference that is no object name could only be found by accident: "g/status" reads MCPGroup g.
const notAName = (name: string, kind: string) =>
  `${shown(name)} cannot be the name of any ${kind} (lowercase letters, digits, '-' and '.', at most 253 characters); fix the name`;

const oneOf = (value: unknown, allowed: readonly string[]) =>
  typeof value === "string" && allowed.includes(value);
const quoted = (values: readonly string[]) => values.map((v) => `"${v}"`).join(", ");
const asRecord = (value: unknown): Tree | undefined => (isTree(value) ? value : undefined);

function validateName(name: string): FieldError[] {
  const errors: FieldError[] = [];
  if (name.length > MAX_NAME_LENGTH) {
    errors.push({
      path: "metadata.name",
      message: `${shown(name)} has ${name.length} characters; at most ${MAX_NAME_LENGTH} fit, since the Service is vmcp-<name> and Service names are limited to 63; choose a shorter name`,
    });
  }
  if (!isDnsLabel(name)) {
    errors.push({
      path: "metadata.name",
      message: `${shown(name)} is not a DNS label (lowercase letters, digits and '-'); it names the vMCP Deployment and Service`,
    });
  }
  return errors;
}

const BACKEND_AUTH_TYPES = ["discovered", "externalAuthConfigRef"] as const;

function validateBackendAuth(path: string, auth: BackendAuth): FieldError[] {
  if (!auth.type)
    return [{ path: `${path}.type`, message: `required; one of ${quoted(BACKEND_AUTH_TYPES)}` }];
  if (auth.type === "external_auth_config_ref") {
    return [
      {
        path: `${path}.type`,
        message: `"external_auth_config_ref" is the old spelling; use "externalAuthConfigRef"`,
      },
    ];
  }
  if (!oneOf(auth.type, BACKEND_AUTH_TYPES)) {
    return [
      {
        path: `${path}.type`,
        message: `unsupported value ${shown(auth.type)}; one of ${quoted(BACKEND_AUTH_TYPES)}`,
      },
    ];
  }
  const ref = auth.externalAuthConfigRef?.name;
  if (auth.type === "externalAuthConfigRef" && ref && !isObjectName(ref))
    return [{ path: `${path}.externalAuthConfigRef.name`, message: notAName(ref, "MCPExternalAuthConfig") }];
  if (auth.type === "externalAuthConfigRef" && !ref) {
    return [
      {
        path: `${path}.externalAuthConfigRef.name`,
        message:
          "required when type is externalAuthConfigRef; name an MCPExternalAuthConfig in the same namespace",
      },
    ];
  }
  return [];
}

const AUTHZ_MEMBERS = ["configMap", "inline"] as const;

/** authzConfig's type agrees with the member that is set; authzConfig and authzConfigRef exclude each other. */
function validateAuthz(incoming: VirtualMCPServer["spec"]["incomingAuth"]): FieldError[] {
  const authz = incoming?.authzConfig as Tree | undefined;
  if (!authz) return [];
  if (incoming?.authzConfigRef) {
    return [
      {
        path: "spec.incomingAuth",
        message: "authzConfig and authzConfigRef are mutually exclusive; keep one of them",
      },
    ];
  }
  const type = authz.type ?? "configMap";
  if (!oneOf(type, AUTHZ_MEMBERS)) {
    return [
      {
        path: "spec.incomingAuth.authzConfig.type",
        message: `unsupported value ${shown(String(type))}; "configMap" or "inline"`,
      },
    ];
  }
  return AUTHZ_MEMBERS.filter((member) => (type === member) !== (authz[member] !== undefined)).map(
    (member) => ({
      path: `spec.incomingAuth.authzConfig.${member}`,
      message:
        type === member
          ? `required when type is ${member}`
          : `set, but type is ${String(type)}; remove it or change the type`,
    }),
  );
}

/** The reference's own fields: a name that can be an MCPOIDCConfig's, and the audience the runtime requires. */
function validateOIDCRef(incoming: VirtualMCPServer["spec"]["incomingAuth"]): FieldError[] {
  const ref = incoming?.oidcConfigRef as (Tree & { name?: string; audience?: string }) | undefined;
  if (!ref) return [];
  const path = "spec.incomingAuth.oidcConfigRef";
  const errors: FieldError[] = [];
  if (ref.name && !isObjectName(ref.name))
    errors.push({ path: `${path}.name`, message: notAName(ref.name, "MCPOIDCConfig") });
  if (!ref.audience)
    errors.push({
      path: `${path}.audience`,
      message:
        "required; the audience this server's tokens must carry, unique per server so a token meant for another is refused here",
    });
  if (
    ref.scopes !== undefined &&
    !(Array.isArray(ref.scopes) && ref.scopes.every((s) => typeof s === "string"))
  )
    errors.push({ path: `${path}.scopes`, message: 'must be a list of strings, e.g. ["openid", "profile"]' });
  if (ref.resourceUrl !== undefined && typeof ref.resourceUrl !== "string")
    errors.push({
      path: `${path}.resourceUrl`,
      message: "must be a string: the URL clients reach this server at",
    });
  return errors;
}

function validateAuth(spec: VirtualMCPServer["spec"]): FieldError[] {
  const errors: FieldError[] = [];
  const incoming = spec.incomingAuth;
  if (!incoming?.type) {
    errors.push({ path: "spec.incomingAuth.type", message: 'required; "anonymous" or "oidc"' });
  } else if (!oneOf(incoming.type, ["anonymous", "oidc"])) {
    errors.push({
      path: "spec.incomingAuth.type",
      message: `unsupported value ${shown(incoming.type)}; "anonymous" or "oidc"`,
    });
  } else if (incoming.type === "oidc" && !incoming.oidcConfigRef?.name) {
    errors.push({
      path: "spec.incomingAuth.oidcConfigRef",
      message:
        "required when type is oidc; set oidcConfigRef.name and oidcConfigRef.audience, or use type anonymous",
    });
  }
  errors.push(...validateOIDCRef(incoming), ...validateAuthz(incoming));
  const outgoing = spec.outgoingAuth;
  if (outgoing?.source !== undefined && !oneOf(outgoing.source, ["discovered", "inline"])) {
    errors.push({
      path: "spec.outgoingAuth.source",
      message: `unsupported value ${shown(outgoing.source)}; "discovered" (the vMCP runtime discovers backends) or "inline" (vmcp-lambda does)`,
    });
  }
  for (const [path, auth] of outgoingAuthEntries(outgoing)) errors.push(...validateBackendAuth(path, auth));
  return errors;
}

function validateAggregation(config: Record<string, unknown> | undefined): FieldError[] {
  const errors: FieldError[] = [];
  const aggregation = asRecord(config?.aggregation);
  const path = "spec.config.aggregation";
  const strategy = aggregation?.conflictResolution;
  if (strategy !== undefined && !oneOf(strategy, ["prefix", "priority", "manual"])) {
    errors.push({
      path: `${path}.conflictResolution`,
      message: `unsupported value ${shown(String(strategy))}; "prefix", "priority" or "manual"`,
    });
  }
  const tools = Array.isArray(aggregation?.tools) ? aggregation.tools : [];
  tools.forEach((tool, i) => {
    const entry = asRecord(tool);
    if (!entry?.workload)
      errors.push({
        path: `${path}.tools[${i}].workload`,
        message: "required; the backend these tool settings apply to",
      });
    const toolConfig = entry?.toolConfigRef === undefined ? undefined : asRecord(entry.toolConfigRef)?.name;
    if (entry?.toolConfigRef !== undefined && (typeof toolConfig !== "string" || toolConfig === "")) {
      errors.push({
        path: `${path}.tools[${i}].toolConfigRef.name`,
        message: "required; name an MCPToolConfig in the same namespace",
      });
    } else if (typeof toolConfig === "string" && !isObjectName(toolConfig)) {
      errors.push({
        path: `${path}.tools[${i}].toolConfigRef.name`,
        message: notAName(toolConfig, "MCPToolConfig"),
      });
    }
  });
  const composite = Array.isArray(config?.compositeTools) ? config.compositeTools : [];
  const seen = new Set<string>();
  composite.forEach((tool, i) => {
    const name = asRecord(tool)?.name;
    if (typeof name !== "string" || name === "") {
      errors.push({ path: `spec.config.compositeTools[${i}].name`, message: "required" });
    } else if (seen.has(name)) {
      errors.push({
        path: `spec.config.compositeTools[${i}].name`,
        message: `${shown(name)} is used by an earlier composite tool; names must be unique`,
      });
    } else seen.add(name);
  });
  const refs = Array.isArray(config?.compositeToolRefs) ? config.compositeToolRefs : [];
  refs.forEach((ref, i) => {
    const name = asRecord(ref)?.name;
    const path = `spec.config.compositeToolRefs[${i}].name`;
    if (typeof name !== "string" || name === "")
      errors.push({
        path,
        message: "required; name a VirtualMCPCompositeToolDefinition in the same namespace",
      });
    else if (!isObjectName(name))
      errors.push({ path, message: notAName(name, "VirtualMCPCompositeToolDefinition") });
  });
  return errors;
}

/** Upstream's rule: an optimizer needs an embedding service, from an EmbeddingServer or written by hand. */
function validateOptimizer(spec: VirtualMCPServer["spec"]): FieldError[] {
  const optimizer = asRecord(spec.config?.optimizer);
  const ref = (spec as { embeddingServerRef?: unknown }).embeddingServerRef;
  if (!optimizer || ref !== undefined || optimizer.embeddingService) return [];
  return [
    {
      path: "spec.config.optimizer",
      message:
        "needs an embedding service: set spec.embeddingServerRef (recommended) or spec.config.optimizer.embeddingService",
    },
  ];
}

/** spec.telemetryConfigRef names an MCPTelemetryConfig (the CRD says so too; the reconcile must not trust it). */
function validateTelemetryRef(spec: VirtualMCPServer["spec"]): FieldError[] {
  const ref = (spec as Tree).telemetryConfigRef;
  if (ref === undefined) return [];
  const name = asRecord(ref)?.name;
  const path = "spec.telemetryConfigRef.name";
  if (typeof name !== "string" || name === "")
    return [
      {
        path,
        message: "required; name an MCPTelemetryConfig in the same namespace, or remove telemetryConfigRef",
      },
    ];
  return isObjectName(name) ? [] : [{ path, message: notAName(name, "MCPTelemetryConfig") }];
}

/** Fields nested so deep that writing the runtime config or a patch of them would overflow the stack. */
function validateDepth(spec: VirtualMCPServer["spec"]): FieldError[] {
  return Object.entries(spec)
    .filter(([, value]) => deeperThan(value, MAX_SPEC_DEPTH))
    .map(([key]) => ({
      path: `spec.${key}`,
      message: `nested more than ${MAX_SPEC_DEPTH} levels deep; no setting needs that many, so flatten it`,
    }));
}

/** Every problem with the object itself, in document order; empty when it is valid. */
export function validateVirtualMCPServer(vmcp: VirtualMCPServer): FieldError[] {
  const errors = validateName(vmcp.metadata.name);
  const group = groupOf(vmcp);
  if (!group) {
    errors.push({
      path: "spec.groupRef.name",
      message: "required; name the MCPGroup, in the same namespace, whose servers to aggregate",
    });
  } else if (!isObjectName(group)) {
    const path = vmcp.spec.groupRef?.name ? "spec.groupRef.name" : "spec.config.groupRef";
    errors.push({ path, message: notAName(group, "MCPGroup") });
  }
  errors.push(...validateDepth(vmcp.spec), ...validateTelemetryRef(vmcp.spec));
  errors.push(
    ...validateAuth(vmcp.spec),
    ...validateAggregation(vmcp.spec.config),
    ...validateOptimizer(vmcp.spec),
  );
  errors.push(...runtimeRuleErrors(vmcp.spec));
  // What cannot be rendered yet is worth saying only about a spec that is otherwise right.
  if (errors.length === 0) errors.push(...unrenderable(vmcp));
  return errors;
}

/**
 * What is wrong with the spec by itself for the runtime version it will run on: the checks above, spec.config
 * fitted to that version's keys, the embedded authorization server's rules and authz's primary upstream.
 * The admission webhook and the reconcile both judge a spec by this, so they refuse the same specs.
 */
export function specProblems(vmcp: VirtualMCPServer, runtimeVersion: string) {
  const fit = specConfigProblems(vmcp.spec.config, runtimeVersion);
  const authServer = authServerProblems(vmcp, runtimeVersion);
  const primaryUpstream = primaryUpstreamProblem(vmcp);
  const errors = [
    ...validateVirtualMCPServer(vmcp),
    ...fit.errors,
    ...authServer,
    ...(primaryUpstream ? [primaryUpstream.error] : []),
  ];
  return { errors, fit, authServer, primaryUpstream };
}
