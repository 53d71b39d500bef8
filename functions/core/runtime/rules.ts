// The vMCP runtime validates its configuration at start and exits on the first rule broken; a CRD cannot
// say most of these rules (they relate fields, or the CRD allows a value the runtime refuses, like "0s").
// Checked here so a spec that would crash-loop the pod is refused with the field to fix instead
// (upstream ToolHive #4856: a CRD-valid value crash-looped the pod).

import type { FieldError } from "../kinds/field-errors.ts";
import { asList, asTree, type Tree } from "../kinds/json-tree.ts";
import { shown } from "../kinds/shown.ts";
import type { VirtualMCPServer } from "../kinds/toolhive.ts";
import { compositeToolErrors } from "./composite-rules.ts";
import { durationMs } from "./report.ts";

function aggregationRules(aggregation: Tree): FieldError[] {
  const path = "spec.config.aggregation";
  const errors: FieldError[] = [];
  const strategy = aggregation.conflictResolution ?? "prefix";
  const resolution = asTree(aggregation.conflictResolutionConfig);
  const tools = asList(aggregation.tools).map(asTree);
  if (strategy === "prefix" && resolution.prefixFormat === "")
    errors.push({
      path: `${path}.conflictResolutionConfig.prefixFormat`,
      message: 'empty; the runtime needs a format such as "{workload}_", or leave it out for that default',
    });
  const order = asList(resolution.priorityOrder);
  if (strategy === "priority" && order.length === 0)
    errors.push({
      path: `${path}.conflictResolutionConfig.priorityOrder`,
      message: "required when conflictResolution is priority; list the workloads, highest priority first",
    });
  if (strategy === "manual" && tools.length === 0)
    errors.push({
      path: `${path}.tools`,
      message: "required when conflictResolution is manual; say, per workload, how its tools are named",
    });
  if (strategy === "priority" && aggregation.defaultToolVisibility === "deny") {
    const configured = new Set(tools.map((t) => t.workload));
    order.forEach((workload, i) => {
      if (!configured.has(workload))
        errors.push({
          path: `${path}.conflictResolutionConfig.priorityOrder[${i}]`,
          message: `${shown(String(workload))} has no entry in ${path}.tools; with defaultToolVisibility deny it would expose nothing`,
        });
    });
  }
  const seen = new Set<unknown>();
  tools.forEach((tool, i) => {
    if (tool.workload !== undefined && seen.has(tool.workload))
      errors.push({
        path: `${path}.tools[${i}].workload`,
        message: `${shown(String(tool.workload))} is configured by an earlier entry; merge the two`,
      });
    seen.add(tool.workload);
    for (const [name, override] of Object.entries(asTree(tool.overrides))) {
      const o = asTree(override);
      if (!o.name && !o.description)
        errors.push({
          path: `${path}.tools[${i}].overrides.${name}`,
          message: "set name or description (annotations alone are not an override the runtime accepts)",
        });
    }
  });
  return errors;
}

function positive(errors: FieldError[], path: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const ms = durationMs(value);
  if (ms === undefined || ms <= 0)
    errors.push({ path, message: `${shown(String(value))} is not a positive duration such as "30s"` });
  return ms;
}

function operationalRules(operational: Tree): FieldError[] {
  const path = "spec.config.operational";
  const errors: FieldError[] = [];
  const timeouts = asTree(operational.timeouts);
  positive(errors, `${path}.timeouts.default`, timeouts.default);
  for (const [name, value] of Object.entries(asTree(timeouts.perWorkload)))
    positive(errors, `${path}.timeouts.perWorkload.${name}`, value);
  const handling = asTree(operational.failureHandling);
  const interval =
    positive(errors, `${path}.failureHandling.healthCheckInterval`, handling.healthCheckInterval) ?? 30_000;
  const timeout =
    handling.healthCheckTimeout === undefined ? undefined : durationMs(handling.healthCheckTimeout);
  if (timeout !== undefined && timeout >= interval)
    errors.push({
      path: `${path}.failureHandling.healthCheckTimeout`,
      message: `${shown(String(handling.healthCheckTimeout))} must be shorter than healthCheckInterval, or checks queue up`,
    });
  const breaker = asTree(handling.circuitBreaker);
  const open = breaker.timeout === undefined ? undefined : durationMs(breaker.timeout);
  if (breaker.enabled === true && open !== undefined && open < 1000)
    errors.push({
      path: `${path}.failureHandling.circuitBreaker.timeout`,
      message: `${shown(String(breaker.timeout))} is under 1s; the runtime refuses it to prevent thrashing`,
    });
  return errors;
}

// What the runtime will never forward (hop-by-hop, credentials, proxy provenance), after canonicalisation.
const RESTRICTED_HEADERS = new Set(
  [
    "authorization",
    "cookie",
    "host",
    "connection",
    "keep-alive",
    "te",
    "trailer",
    "upgrade",
    "http2-settings",
    "proxy-authorization",
    "proxy-authenticate",
    "proxy-connection",
    "transfer-encoding",
    "content-length",
    "forwarded",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
    "x-real-ip",
  ].map((h) => h.toLowerCase()),
);
const HEADER_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/;

function headerRules(headers: unknown): FieldError[] {
  return asList(headers).flatMap((header, i): FieldError[] => {
    const path = `spec.passthroughHeaders[${i}]`;
    if (typeof header !== "string" || !HEADER_TOKEN.test(header))
      return [{ path, message: `${shown(String(header))} is not an HTTP header name` }];
    if (RESTRICTED_HEADERS.has(header.toLowerCase()))
      return [
        { path, message: `${shown(header)} is a restricted header the runtime never forwards; remove it` },
      ];
    return [];
  });
}

const compositeToolRules = (tools: unknown): FieldError[] =>
  asList(tools).flatMap((tool, i) => compositeToolErrors(tool, `spec.config.compositeTools[${i}]`));

/** The runtime's own rules over what a spec renders into; empty when the runtime will accept it. */
export function runtimeRuleErrors(spec: VirtualMCPServer["spec"]): FieldError[] {
  const config = spec.config ?? {};
  const authz = asTree(spec.incomingAuth?.authzConfig);
  const policies = asList(asTree(authz.inline).policies);
  return [
    ...(authz.type === "inline" && policies.length === 0
      ? [
          {
            path: "spec.incomingAuth.authzConfig.inline.policies",
            message: "at least one Cedar policy is required",
          },
        ]
      : []),
    ...headerRules(spec.passthroughHeaders),
    ...aggregationRules(asTree(config.aggregation)),
    ...operationalRules(asTree(config.operational)),
    ...compositeToolRules(config.compositeTools),
  ];
}
