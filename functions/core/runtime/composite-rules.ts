// The rules the vMCP runtime applies to a composite tool when it loads its configuration
// (ValidateCompositeToolConfig): one broken and the pod exits. Checked here for an inline tool
// (spec.config.compositeTools) and for the spec of a VirtualMCPCompositeToolDefinition alike, so either is
// refused at its field instead. Not checked: Go template syntax, JSON Schemas and defaultResults for steps
// that may be skipped, which need the runtime's own parsers; the runtime still judges those.

import type { FieldError } from "../kinds/field-errors.ts";
import { asList, asTree, isTree, type Tree } from "../kinds/json-tree.ts";
import { shown } from "../kinds/shown.ts";

const quoted = (values: readonly string[]) => values.map((v) => `"${v}"`).join(", ");

const STEP_TYPES = ["tool", "elicitation", "forEach"];
const ERROR_ACTIONS = ["abort", "continue", "retry"];
const ANSWER_ACTIONS = ["abort", "continue", "skip_remaining"];
// The runtime's IsValidToolReference: "workload.tool", "workload_tool" or "tool".
const TOOL_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;

function toolErrors(tool: unknown, at: string): FieldError[] {
  if (tool === undefined || tool === "")
    return [{ path: at, message: "required when the step calls a tool; name the tool to call" }];
  return typeof tool === "string" && TOOL_NAME.test(tool)
    ? []
    : [{ path: at, message: `${shown(String(tool))} is not a tool name` }];
}

function typeErrors(step: Tree, at: string): FieldError[] {
  const type = step.type || "tool";
  if (!step.type && step.tool && step.message)
    return [{ path: at, message: "has both tool and message; set type to say which step it is" }];
  if (typeof type !== "string" || !STEP_TYPES.includes(type))
    return [
      { path: `${at}.type`, message: `unsupported value ${shown(String(type))}; ${quoted(STEP_TYPES)}` },
    ];
  if (type === "tool") return toolErrors(step.tool, `${at}.tool`);
  if (type === "elicitation")
    return step.message ? [] : [{ path: `${at}.message`, message: "required when type is elicitation" }];
  const errors: FieldError[] = [];
  for (const field of ["tool", "message"])
    if (step[field]) errors.push({ path: `${at}.${field}`, message: "not allowed on a forEach step" });
  if (!step.collection) errors.push({ path: `${at}.collection`, message: "required when type is forEach" });
  if (!isTree(step.step))
    errors.push({ path: `${at}.step`, message: "required when type is forEach; the tool step to repeat" });
  else if ((step.step.type || "tool") !== "tool")
    errors.push({ path: `${at}.step.type`, message: 'only "tool" steps can be repeated' });
  else errors.push(...toolErrors(step.step.tool, `${at}.step.tool`));
  return errors;
}

function handlingErrors(step: Tree, at: string): FieldError[] {
  const errors: FieldError[] = [];
  const onError = asTree(step.onError);
  if (onError.action && !ERROR_ACTIONS.includes(String(onError.action)))
    errors.push({
      path: `${at}.onError.action`,
      message: `unsupported value ${shown(String(onError.action))}; ${quoted(ERROR_ACTIONS)}`,
    });
  if (onError.action === "retry" && !(Number(onError.retryCount) >= 1))
    errors.push({ path: `${at}.onError.retryCount`, message: "at least 1 when action is retry" });
  if (step.type !== "elicitation") return errors;
  for (const handler of ["onDecline", "onCancel"]) {
    if (step[handler] === undefined) continue;
    const action = asTree(step[handler]).action;
    if (!ANSWER_ACTIONS.includes(String(action)))
      errors.push({ path: `${at}.${handler}.action`, message: `required; one of ${quoted(ANSWER_ACTIONS)}` });
  }
  return errors;
}

/** A step that (through its dependencies) depends on itself, if any. */
function cycleThrough(steps: readonly Tree[]): unknown {
  const needs = new Map(steps.map((s) => [s.id, asList(s.dependsOn)]));
  const state = new Map<unknown, "visiting" | "done">();
  const visit = (id: unknown): boolean => {
    if (state.get(id) === "visiting") return true;
    if (state.get(id) === "done") return false;
    state.set(id, "visiting");
    const cyclic = (needs.get(id) ?? []).some(visit);
    state.set(id, "done");
    return cyclic;
  };
  return steps.find((s) => visit(s.id))?.id;
}

/** The runtime's rules for one composite tool at `path`; its name is checked where it is written. */
export function compositeToolErrors(tool: unknown, path: string): FieldError[] {
  const t = asTree(tool);
  const errors: FieldError[] = [];
  if (!t.description) errors.push({ path: `${path}.description`, message: "required; clients see it" });
  const parameters = asTree(t.parameters);
  if (Object.keys(parameters).length > 0 && parameters.type !== "object")
    errors.push({
      path: `${path}.parameters.type`,
      message: 'must be "object": the parameters are a JSON Schema of the arguments object',
    });
  const steps = asList(t.steps).map(asTree);
  if (steps.length === 0) errors.push({ path: `${path}.steps`, message: "at least one step is required" });
  const ids = new Set(steps.map((step) => step.id).filter(Boolean));
  const seen = new Set<unknown>();
  steps.forEach((step, j) => {
    const at = `${path}.steps[${j}]`;
    if (!step.id) errors.push({ path: `${at}.id`, message: "required" });
    else if (seen.has(step.id))
      errors.push({ path: `${at}.id`, message: `${shown(String(step.id))} is used by an earlier step` });
    seen.add(step.id);
    errors.push(...typeErrors(step, at), ...handlingErrors(step, at));
    asList(step.dependsOn).forEach((dependency, k) => {
      if (!ids.has(dependency))
        errors.push({
          path: `${at}.dependsOn[${k}]`,
          message: `${shown(String(dependency))} is not the id of a step of this tool`,
        });
    });
  });
  const cyclic = cycleThrough(steps);
  if (cyclic !== undefined)
    errors.push({
      path: `${path}.steps`,
      message: `step ${shown(String(cyclic))} depends on itself through dependsOn; break the cycle`,
    });
  return errors;
}
