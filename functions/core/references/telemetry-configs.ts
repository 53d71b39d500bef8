// MCPTelemetryConfig, named by spec.telemetryConfigRef.{name, serviceName}: the runtime's telemetry block
// as ToolHive's operator normalizes it (NormalizeMCPTelemetryConfig), the pod's OTEL resource attributes,
// its sensitive headers as secretKeyRef env, its CA bundle mounted; condition TelemetryConfigRefValidated
// and status.telemetryConfigHash (handleTelemetryConfig).
//
// With a reference, the inline spec.config.telemetry is ignored, as upstream ignores it (upstream ignores
// it without one too; vmcp-lambda still writes it then, since the runtime honours it).
// Two deliberate differences: the CA bundle's file is also written as telemetry.caCertPath, so the runtime
// trusts it (upstream mounts it for the vMCP pod but never points the runtime at it); and the sensitive
// headers' env (TOOLHIVE_OTEL_HEADER_*) is set as upstream sets it, though no runtime version deployed
// here reads it yet.
// Upstream copies the config's status.configHash and trusts its Valid condition, both written by ToolHive's
// own controller for the kind, which may not run beside vmcp-lambda: the spec is hashed (contentHash) and
// checked by upstream's MCPTelemetryConfig.Validate rules here instead.

import { conditionOf } from "../kinds/conditions.ts";
import { isObjectName } from "../kinds/field-errors.ts";
import { contentHash, isTree, type Tree } from "../kinds/json-tree.ts";
import { shown } from "../kinds/shown.ts";
import { MCPTelemetryConfig, TelemetrySpec } from "../kinds/telemetry-config.ts";
import type { VirtualMCPServer } from "../kinds/toolhive.ts";
import { fitRuntimeSetting } from "../runtime/config-fit.ts";
import { configMapFile, type PodAdditions } from "../runtime/pod-additions.ts";
import { missingRefs, refAt, reference } from "./reference.ts";

const KIND = "MCPTelemetryConfig";
export const TELEMETRY_CONDITION = "TelemetryConfigRefValidated";
const CA_VOLUME_PREFIX = "otel-ca-bundle-";
const CA_MOUNT_BASE = "/config/certs/otel";
const CA_DEFAULT_KEY = "ca.crt";
// A volume name is a DNS label of at most 63 characters, and it is the prefix and the ConfigMap's name.
const MAX_CA_CONFIGMAP_NAME = 63 - CA_VOLUME_PREFIX.length;
const SAMPLING_RATE = /^\d+(\.\d+)?$/;

type OTel = NonNullable<TelemetrySpec["openTelemetry"]>;

const refOf = (vmcp: VirtualMCPServer): Tree | undefined => {
  const ref = (vmcp.spec as Tree).telemetryConfigRef;
  return isTree(ref) ? ref : undefined;
};

/** The env name upstream gives a sensitive header's value. */
export const sensitiveHeaderEnv = (header: string) =>
  `TOOLHIVE_OTEL_HEADER_${header.replaceAll("-", "_").toUpperCase()}`;

/** What upstream's MCPTelemetryConfig.Validate refuses, and a sampling rate that is no number. */
function problems(otel: OTel | undefined): string[] {
  if (!otel) return [];
  const found: string[] = [];
  if (otel.endpoint && !otel.tracing?.enabled && !otel.metrics?.enabled)
    found.push(
      "openTelemetry.endpoint is set but neither tracing nor metrics is enabled; enable one of them or remove the endpoint",
    );
  const envs = new Map<string, number>();
  (otel.sensitiveHeaders ?? []).forEach((header, i) => {
    const at = `openTelemetry.sensitiveHeaders[${i}]`;
    if (!header.name) found.push(`${at}.name must not be empty`);
    if (!header.secretKeyRef?.name) found.push(`${at}.secretKeyRef.name must not be empty`);
    if (!header.secretKeyRef?.key) found.push(`${at}.secretKeyRef.key must not be empty`);
    if (!header.name) return;
    if (otel.headers && Object.hasOwn(otel.headers, header.name))
      found.push(`header ${shown(header.name)} appears in both headers and sensitiveHeaders; keep one`);
    const earlier = envs.get(sensitiveHeaderEnv(header.name));
    if (earlier !== undefined)
      found.push(`${at}.name ${shown(header.name)} is the same header as sensitiveHeaders[${earlier}]`);
    else envs.set(sensitiveHeaderEnv(header.name), i);
  });
  const rate = otel.tracing?.samplingRate;
  if (rate !== undefined && rate !== "" && !SAMPLING_RATE.test(rate))
    found.push(`openTelemetry.tracing.samplingRate ${shown(rate)} is not a number between 0 and 1`);
  const ca = otel.caBundleRef;
  if (ca) {
    const name = ca.configMapRef?.name;
    if (otel.insecure)
      found.push("openTelemetry.caBundleRef cannot be specified when insecure is true; remove one of them");
    if (!ca.configMapRef) found.push("openTelemetry.caBundleRef.configMapRef must be specified");
    else if (!name) found.push("openTelemetry.caBundleRef.configMapRef.name must not be empty");
    else if (name.length > MAX_CA_CONFIGMAP_NAME || !isObjectName(name))
      found.push(
        `openTelemetry.caBundleRef.configMapRef.name ${shown(name)} must be a ConfigMap name of at most ${MAX_CA_CONFIGMAP_NAME} characters`,
      );
  }
  return found;
}

/** Go's strconv.FormatFloat(rate, 'f', -1, 64): the shortest decimal, never an exponent. */
function formatRate(rate: number): string {
  const text = String(rate);
  return text.includes("e") ? rate.toFixed(20).replace(/\.?0+$/, "") : text;
}

interface Resolved {
  readonly telemetry: Tree;
  readonly pod: Partial<PodAdditions>;
}

function resolved(spec: TelemetrySpec, serviceName: string, namespace: string): Resolved {
  const otel = spec.openTelemetry?.enabled ? spec.openTelemetry : undefined;
  const ca = spec.openTelemetry?.caBundleRef?.configMapRef;
  const caFile = ca?.name
    ? configMapFile(
        `${CA_VOLUME_PREFIX}${ca.name}`,
        ca.name,
        `${CA_MOUNT_BASE}/${ca.name}`,
        ca.key || CA_DEFAULT_KEY,
      )
    : undefined;
  const rate = otel?.tracing?.samplingRate ? Number(otel.tracing.samplingRate) : undefined;
  const endpoint = (otel?.endpoint ?? "").replace(/^https:\/\//, "").replace(/^http:\/\//, "");
  const nonEmpty = (map: Record<string, string> | undefined) =>
    map && Object.keys(map).length > 0 ? map : undefined;
  const telemetry: Tree = {
    ...(endpoint ? { endpoint } : {}),
    serviceName,
    tracingEnabled: otel?.tracing?.enabled ?? false,
    metricsEnabled: otel?.metrics?.enabled ?? false,
    ...(rate === undefined ? {} : { samplingRate: formatRate(Math.min(1, Math.max(0, rate))) }),
    ...(nonEmpty(otel?.headers) ? { headers: otel?.headers } : {}),
    ...(otel?.insecure ? { insecure: true } : {}),
    ...(spec.prometheus?.enabled ? { enablePrometheusMetricsPath: true } : {}),
    ...(spec.prometheus?.metricsOnTransportPort === undefined
      ? {}
      : { metricsOnTransportPort: spec.prometheus.metricsOnTransportPort }),
    ...(nonEmpty(otel?.resourceAttributes) ? { customAttributes: otel?.resourceAttributes } : {}),
    useLegacyAttributes: otel?.useLegacyAttributes ?? false,
    ...(caFile ? { caCertPath: caFile.path } : {}),
  };
  return {
    telemetry,
    pod: {
      env: [
        {
          name: "OTEL_RESOURCE_ATTRIBUTES",
          value: `service.name=${serviceName},service.namespace=${namespace}`,
        },
      ],
      secretEnv: (spec.openTelemetry?.sensitiveHeaders ?? []).map((header) => ({
        name: sensitiveHeaderEnv(header.name ?? ""),
        secret: header.secretKeyRef?.name ?? "",
        key: header.secretKeyRef?.key ?? "",
      })),
      mounts: caFile ? [caFile.mount] : [],
    },
  };
}

const condition = conditionOf(TELEMETRY_CONDITION);

export const TELEMETRY_CONFIGS = reference({
  kind: KIND,
  schema: MCPTelemetryConfig,
  refs: (vmcp) => refAt("spec.telemetryConfigRef.name", refOf(vmcp)?.name),
  resolve: (input) => {
    const ref = input.refs[0];
    if (!ref) return { errors: [], conditions: [] };
    const config = input.found.get(ref.name);
    if (!config)
      return {
        errors: missingRefs(input, KIND),
        conditions: [condition("False", "TelemetryConfigRefNotFound", `${KIND} ${ref.name} not found`)],
      };
    const parsed = TelemetrySpec.safeParse(config.spec);
    const found = parsed.success
      ? problems(parsed.data.openTelemetry)
      : parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    if (!parsed.success || found.length > 0)
      return {
        errors: found.map((problem) => ({
          path: ref.path,
          message: `${KIND} ${shown(ref.name)} is invalid: spec.${problem}; fix its spec`,
        })),
        conditions: [
          condition(
            "False",
            "TelemetryConfigRefInvalid",
            `${KIND} ${ref.name} is invalid: ${found.join("; ")}`,
          ),
        ],
      };
    const service = refOf(input.vmcp)?.serviceName;
    const serviceName = typeof service === "string" && service !== "" ? service : input.vmcp.metadata.name;
    const { telemetry, pod } = resolved(parsed.data, serviceName, input.vmcp.metadata.namespace ?? "");
    // What the runtime of the deployed version does not know (metricsOnTransportPort before v0.47) is left out.
    const fitted = fitRuntimeSetting("telemetry", telemetry, input.runtimeVersion, "telemetry").value;
    return {
      errors: [],
      conditions: [condition("True", "TelemetryConfigRefValid", `${KIND} ${ref.name} is valid`)],
      config: (tree) => ({ ...tree, telemetry: fitted }),
      pod,
      status: { telemetryConfigHash: contentHash(config.spec) },
    };
  },
});
