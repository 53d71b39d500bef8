// The slices of Kubernetes' own types that the core reads. Loose: unknown fields are kept, never rejected.
import { z } from "zod";

export const StringMap = z.record(z.string(), z.string());

export const ManagedFieldsEntry = z.looseObject({
  manager: z.string().optional(),
  operation: z.string().optional(),
  subresource: z.string().optional(),
  time: z.string().optional(),
  fieldsV1: z.record(z.string(), z.unknown()).optional(),
});
export type ManagedFieldsEntry = z.infer<typeof ManagedFieldsEntry>;

export const ObjectMeta = z.looseObject({
  name: z.string(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  generation: z.number().int().optional(),
  resourceVersion: z.string().optional(),
  creationTimestamp: z.string().optional(),
  deletionTimestamp: z.string().optional(),
  labels: StringMap.optional(),
  annotations: StringMap.optional(),
  managedFields: z.array(ManagedFieldsEntry).optional(),
});
export type ObjectMeta = z.infer<typeof ObjectMeta>;

export const Condition = z.looseObject({
  type: z.string(),
  status: z.enum(["True", "False", "Unknown"]),
  reason: z.string(),
  message: z.string(),
  lastTransitionTime: z.string(),
  observedGeneration: z.number().int().optional(),
});
export type Condition = z.infer<typeof Condition>;

/** Any object as read from the API server: kind, metadata and whatever else it carries. */
export const KubeObject = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: ObjectMeta,
});
export type KubeObject = z.infer<typeof KubeObject>;

/** A Deployment as far as readiness goes. */
export const DeploymentStatus = z.looseObject({
  observedGeneration: z.number().int().optional(),
  replicas: z.number().int().optional(),
  readyReplicas: z.number().int().optional(),
  availableReplicas: z.number().int().optional(),
  unavailableReplicas: z.number().int().optional(),
  conditions: z
    .array(
      z.looseObject({
        type: z.string(),
        status: z.string(),
        reason: z.string().optional(),
        message: z.string().optional(),
      }),
    )
    .optional(),
});
export type DeploymentStatus = z.infer<typeof DeploymentStatus>;

/** A ConfigMap a spec names (an authorization ConfigMap): its string data, the only part the core reads. */
export const ConfigMap = z.looseObject({
  metadata: ObjectMeta,
  data: StringMap.optional(),
});
export type ConfigMap = z.infer<typeof ConfigMap>;
