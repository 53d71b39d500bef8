// ToolHive's MCPTelemetryConfig: OpenTelemetry and Prometheus settings kept apart so several servers share
// them; a VirtualMCPServer names one in spec.telemetryConfigRef (with its own service name). The object is
// read with its spec as a tree, so one wrong value cannot hide the object; the resolver then reads the spec
// with TelemetrySpec and reports what does not fit, field by field.
import { z } from "zod";
import { ObjectMeta } from "./kubernetes.ts";

const Enabled = z.looseObject({ enabled: z.boolean().optional() });

export const TelemetrySpec = z.looseObject({
  openTelemetry: z
    .looseObject({
      enabled: z.boolean().optional(),
      endpoint: z.string().optional(),
      insecure: z.boolean().optional(),
      headers: z.record(z.string(), z.string()).optional(),
      sensitiveHeaders: z
        .array(
          z.looseObject({
            name: z.string().optional(),
            secretKeyRef: z
              .looseObject({ name: z.string().optional(), key: z.string().optional() })
              .optional(),
          }),
        )
        .optional(),
      resourceAttributes: z.record(z.string(), z.string()).optional(),
      metrics: Enabled.optional(),
      tracing: Enabled.extend({ samplingRate: z.string().optional() }).optional(),
      useLegacyAttributes: z.boolean().optional(),
      caBundleRef: z
        .looseObject({
          configMapRef: z.looseObject({ name: z.string().optional(), key: z.string().optional() }).optional(),
        })
        .optional(),
    })
    .optional(),
  prometheus: Enabled.extend({ metricsOnTransportPort: z.boolean().optional() }).optional(),
});
export type TelemetrySpec = z.infer<typeof TelemetrySpec>;

export const MCPTelemetryConfig = z.looseObject({
  metadata: ObjectMeta,
  spec: z.record(z.string(), z.unknown()).default({}),
});
export type MCPTelemetryConfig = z.infer<typeof MCPTelemetryConfig>;
