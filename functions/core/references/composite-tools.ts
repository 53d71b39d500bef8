// VirtualMCPCompositeToolDefinition, named by spec.config.compositeToolRefs[].name: each definition's spec
// (the runtime's composite tool as is) appended to the runtime's compositeTools after the inline ones, as
// ToolHive's operator does (convertAllCompositeTools). The runtime itself never resolves the references, so
// they are always replaced: a missing definition refuses the spec instead of a server without the tool.
//
// Upstream requires the definition's status not to say Invalid, which ToolHive's own controller for that
// kind writes; that controller may not run beside vmcp-lambda, so the definition's spec is checked here
// instead, by the rules the runtime applies to an inline composite tool, and fitted to the keys the runtime
// of the deployed version knows (keys it does not know are left out, as for spec.config).

import { VirtualMCPCompositeToolDefinition } from "../kinds/composite-tool-definition.ts";
import type { DesiredCondition } from "../kinds/conditions.ts";
import { type FieldError, formatErrors } from "../kinds/field-errors.ts";
import { asList, deeperThan, isTree, MAX_SPEC_DEPTH, type Tree } from "../kinds/json-tree.ts";
import { shown } from "../kinds/shown.ts";
import type { VirtualMCPServer } from "../kinds/toolhive.ts";
import { compositeToolErrors } from "../runtime/composite-rules.ts";
import { fitCompositeTool } from "../runtime/config-fit.ts";
import { missingRefs, type Ref, refAt, reference } from "./reference.ts";

const KIND = "VirtualMCPCompositeToolDefinition";
const REFS_PATH = "spec.config.compositeToolRefs";
export const COMPOSITE_TOOL_REFS_CONDITION = "CompositeToolRefsValidated";

const refEntries = (vmcp: VirtualMCPServer) => asList(vmcp.spec.config?.compositeToolRefs);

/** A definition's spec as the runtime gets it, or what keeps it from being one. */
function judged(
  ref: Ref,
  definition: VirtualMCPCompositeToolDefinition,
  version: string,
): { tool?: Tree; errors: FieldError[] } {
  const at = (message: string): FieldError => ({
    path: ref.path,
    message: `${KIND} ${shown(ref.name)} ${message}`,
  });
  if (deeperThan(definition.spec, MAX_SPEC_DEPTH))
    return { errors: [at(`nests its spec more than ${MAX_SPEC_DEPTH} levels deep; flatten it`)] };
  const fitted = fitCompositeTool(definition.spec, version, "spec");
  const name = fitted.value.name;
  const problems: FieldError[] = [
    ...(typeof name === "string" && name !== ""
      ? []
      : [{ path: "spec.name", message: "required; the name clients call the composite tool by" }]),
    ...fitted.misshapen.map(({ path, expected }) => ({
      path,
      message: `the vMCP runtime ${version} takes ${expected} here`,
    })),
    ...compositeToolErrors(fitted.value, "spec"),
  ];
  return problems.length > 0
    ? { errors: problems.map((p) => at(`is invalid: ${p.path}: ${p.message}; fix its spec`)) }
    : { tool: fitted.value, errors: [] };
}

/** Where each composite tool name is first defined, for the duplicate check across both fields. */
function inlineNames(vmcp: VirtualMCPServer): Map<string, string> {
  const names = new Map<string, string>();
  asList(vmcp.spec.config?.compositeTools).forEach((tool, i) => {
    const name = isTree(tool) ? tool.name : undefined;
    if (typeof name === "string" && !names.has(name))
      names.set(name, `spec.config.compositeTools[${i}].name`);
  });
  return names;
}

function condition(
  vmcp: VirtualMCPServer,
  refs: readonly Ref[],
  missing: readonly FieldError[],
  invalid: readonly FieldError[],
): DesiredCondition[] {
  if (refEntries(vmcp).length === 0) return [];
  const type = COMPOSITE_TOOL_REFS_CONDITION;
  if (missing.length > 0)
    return [
      {
        type,
        status: "False",
        reason: "CompositeToolRefNotFound",
        message: formatErrors([...missing, ...invalid]),
      },
    ];
  if (invalid.length > 0)
    return [{ type, status: "False", reason: "CompositeToolRefInvalid", message: formatErrors(invalid) }];
  return [
    {
      type,
      status: "True",
      reason: "CompositeToolRefsValid",
      message: `All ${refs.length} composite tool references are valid`,
    },
  ];
}

export const COMPOSITE_TOOLS = reference({
  kind: KIND,
  schema: VirtualMCPCompositeToolDefinition,
  refs: (vmcp) =>
    refEntries(vmcp).flatMap((entry, i) =>
      refAt(`${REFS_PATH}[${i}].name`, isTree(entry) ? entry.name : undefined),
    ),
  resolve: (input) => {
    const missing = missingRefs(input, KIND);
    const invalid: FieldError[] = [];
    const tools: Tree[] = [];
    const defined = inlineNames(input.vmcp);
    const referencedBy = new Map<string, string>();
    for (const ref of input.refs) {
      const earlier = referencedBy.get(ref.name);
      if (earlier !== undefined) {
        invalid.push({
          path: ref.path,
          message: `${KIND} ${shown(ref.name)} is already referenced by ${earlier}; remove one of them`,
        });
        continue;
      }
      referencedBy.set(ref.name, ref.path);
      const definition = input.found.get(ref.name);
      if (!definition) continue;
      const { tool, errors } = judged(ref, definition, input.runtimeVersion);
      invalid.push(...errors);
      if (!tool) continue;
      const name = tool.name as string;
      const first = defined.get(name);
      if (first !== undefined)
        invalid.push({
          path: ref.path,
          message: `${KIND} ${shown(ref.name)} defines composite tool ${shown(name)}, as ${first} already does; composite tool names must be unique, so rename one`,
        });
      else defined.set(name, ref.path);
      tools.push(tool);
    }
    return {
      errors: [...missing, ...invalid],
      conditions: condition(input.vmcp, input.refs, missing, invalid),
      config: (config) => {
        if (!("compositeToolRefs" in config) && tools.length === 0) return config;
        const { compositeToolRefs: _, ...rest } = config;
        const all = [...asList(rest.compositeTools), ...tools];
        return all.length > 0 ? { ...rest, compositeTools: all } : rest;
      },
    };
  },
});
