// MCPToolConfig, named per backend by spec.config.aggregation.tools[].toolConfigRef: its filter and
// overrides merged into that entry as ToolHive's operator merges them (the entry's own filter, when it has
// one, wins whole; its own overrides win per tool, the config's fill in the rest). The runtime itself never
// reads the reference, so it is always replaced: a missing MCPToolConfig is an error, never an entry
// without its filter (fail closed: a tool meant to be hidden is never shown).

import type { FieldError } from "../kinds/field-errors.ts";
import { isTree, type Tree } from "../kinds/json-tree.ts";
import { shown } from "../kinds/shown.ts";
import { MCPToolConfig, type ToolOverride } from "../kinds/tool-config.ts";
import { missingRefs, type Ref, refAt, reference } from "./reference.ts";

const TOOLS_PATH = "spec.config.aggregation.tools";
const ANNOTATIONS = ["title", "readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"];

const entriesOf = (config: Tree | undefined): unknown[] => {
  const aggregation = config?.aggregation;
  return isTree(aggregation) && Array.isArray(aggregation.tools) ? aggregation.tools : [];
};

/** The name an entry's toolConfigRef gives (refAt says whether it can name an object at all). */
const refName = (entry: unknown): unknown =>
  isTree(entry) && isTree(entry.toolConfigRef) ? entry.toolConfigRef.name : undefined;

/** An override in the runtime's form: name, description and the annotations it knows. */
function runtimeOverride(override: ToolOverride) {
  const annotations = Object.fromEntries(
    ANNOTATIONS.filter((key) => override.annotations?.[key] !== undefined).map((key) => [
      key,
      override.annotations?.[key],
    ]),
  );
  return {
    ...(override.name ? { name: override.name } : {}),
    ...(override.description ? { description: override.description } : {}),
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
  };
}

/** The entry with its MCPToolConfig merged in and the reference gone (the runtime would ignore it). */
function merged(entry: Tree, config: MCPToolConfig | undefined): Tree {
  const { toolConfigRef: _, ...rest } = entry;
  if (!config) return rest;
  const own = Array.isArray(rest.filter) ? rest.filter : [];
  const filter = own.length > 0 ? own : (config.spec.toolsFilter ?? []);
  const overrides: Tree = {
    ...Object.fromEntries(
      Object.entries(config.spec.toolsOverride ?? {}).map(([tool, o]) => [tool, runtimeOverride(o)]),
    ),
    ...(isTree(rest.overrides) ? rest.overrides : {}),
  };
  return {
    ...rest,
    ...(filter.length > 0 ? { filter } : {}),
    ...(Object.keys(overrides).length > 0 ? { overrides } : {}),
  };
}

/** What the runtime would refuse in a config's overrides, said at the reference that brings them in. */
function overrideErrors(ref: Ref, config: MCPToolConfig): FieldError[] {
  return Object.entries(config.spec.toolsOverride ?? {})
    .filter(([, o]) => !o.name && !o.description)
    .map(([tool]) => ({
      path: ref.path,
      message: `MCPToolConfig ${shown(ref.name)} overrides ${shown(tool)} with neither name nor description, which the vMCP runtime refuses; set one of them in its spec.toolsOverride`,
    }));
}

export const TOOL_CONFIGS = reference({
  kind: "MCPToolConfig",
  schema: MCPToolConfig,
  refs: (vmcp) =>
    entriesOf(vmcp.spec.config).flatMap((entry, i) =>
      refAt(`${TOOLS_PATH}[${i}].toolConfigRef.name`, refName(entry)),
    ),
  resolve: (input) => {
    const errors = missingRefs(input, "MCPToolConfig");
    for (const ref of input.refs) {
      const config = input.found.get(ref.name);
      if (config) errors.push(...overrideErrors(ref, config));
    }
    return {
      errors,
      conditions: [],
      config: (config) => {
        const entries = entriesOf(config);
        if (!entries.some((entry) => isTree(entry) && entry.toolConfigRef !== undefined)) return config;
        const aggregation = config.aggregation as Tree;
        const tools = entries.map((entry) =>
          isTree(entry) ? merged(entry, input.found.get(String(refName(entry)))) : entry,
        );
        return { ...config, aggregation: { ...aggregation, tools } };
      },
    };
  },
});
