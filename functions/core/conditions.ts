// Conditions with apimachinery's semantics: lastTransitionTime moves only when status flips.
import type { Condition } from "./kubernetes.ts";

export type ConditionStatus = Condition["status"];

export interface DesiredCondition {
  readonly type: string;
  readonly status: ConditionStatus;
  readonly reason: string;
  readonly message: string;
}

/** The condition to write: the previous transition time unless the status changed, then `now`. */
export function nextCondition(
  desired: DesiredCondition,
  previous: readonly Condition[] | undefined,
  generation: number | undefined,
  now: string,
): Condition {
  const before = previous?.find((c) => c.type === desired.type);
  const lastTransitionTime = before && before.status === desired.status ? before.lastTransitionTime : now;
  return {
    type: desired.type,
    status: desired.status,
    reason: desired.reason,
    message: desired.message,
    lastTransitionTime,
    ...(generation === undefined ? {} : { observedGeneration: generation }),
  };
}

export const findCondition = (
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined => conditions?.find((c) => c.type === type);
