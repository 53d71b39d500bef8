// Who controls a VirtualMCPServer: vmcp-lambda or ToolHive's operator, which always runs a controller of
// its own for every VirtualMCPServer (docs/adr/0011-living-beside-toolhives-operator.md). A label on the
// object says; where it is absent, the install's default does. Pure: the functions' shells ask it before
// they read, write or hint anything of an object, and the admission fence asks it for the operator's writes.
import { isTree } from "../kinds/json-tree.ts";
import { shown } from "../kinds/shown.ts";

/** The label that hands one VirtualMCPServer to a controller. */
export const CONTROLLER_LABEL = "vmcp-lambda.toolhive.stacklok.dev/controller";
export const CONTROLLERS = ["vmcp-lambda", "toolhive-operator"] as const;
export type Controller = (typeof CONTROLLERS)[number];
/** Without the label and without the setting: vmcp-lambda, as an install without ToolHive's operator wants. */
export const DEFAULT_CONTROLLER: Controller = "vmcp-lambda";

/** The label's value on any object as read (an admission request's object is not parsed yet). */
function labelOf(object: unknown): unknown {
  if (!isTree(object) || !isTree(object.metadata) || !isTree(object.metadata.labels)) return undefined;
  return object.metadata.labels[CONTROLLER_LABEL];
}

const isController = (value: unknown): value is Controller =>
  (CONTROLLERS as readonly unknown[]).includes(value);

/** The controller an object names, else the install's default. An unknown value is nobody's (see below). */
export function controllerOf(
  object: unknown,
  fallback: Controller = DEFAULT_CONTROLLER,
): Controller | undefined {
  const value = labelOf(object);
  if (value === undefined) return fallback;
  return isController(value) ? value : undefined;
}

/** Whether vmcp-lambda controls the object. A label it cannot read keeps its hands off: not its to claim. */
export const controlledByUs = (object: unknown, fallback?: Controller): boolean =>
  controllerOf(object, fallback) === "vmcp-lambda";

/** What is wrong with the label's value, for admission to refuse; undefined when it is absent or right. */
export function controllerLabelProblem(object: unknown): string | undefined {
  const value = labelOf(object);
  if (value === undefined || isController(value)) return undefined;
  return `metadata.labels["${CONTROLLER_LABEL}"]: ${shown(String(value))} is not a controller; set it to ${CONTROLLERS.join(" or ")}, or remove it for the install's default`;
}
