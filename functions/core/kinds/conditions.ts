// Conditions with apimachinery's semantics: lastTransitionTime moves only when status flips.
import type { Condition } from "./kubernetes.ts";

export type ConditionStatus = Condition["status"];

/**
 * A time as status carries it: whole seconds, as Kubernetes' metav1.Time has it. The vMCP runtime replaces
 * the whole status with its Go types, which would cut any fraction off the functions' times: a change of
 * value the next reconcile would undo, every reporting interval.
 */
export const statusTime = (date: Date): string => `${date.toISOString().slice(0, 19)}Z`;

export interface DesiredCondition {
  readonly type: string;
  readonly status: ConditionStatus;
  readonly reason: string;
  readonly message: string;
}

/** A builder of conditions of one type, for code that says several verdicts of it. */
export const conditionOf =
  (type: string) =>
  (status: ConditionStatus, reason: string, message: string): DesiredCondition => ({
    type,
    status,
    reason,
    message,
  });

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
