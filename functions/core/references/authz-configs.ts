// MCPAuthzConfig, named by spec.incomingAuth.authzConfigRef: its Cedar policies, entities and claim mapping
// written into the runtime's incomingAuth.authz, as ToolHive's operator resolves them (resolveAuthzConfigRef),
// with its condition AuthzConfigRefValidated and status.authzConfigHash (handleAuthzConfig). Only cedarv1:
// the vMCP runtime authorizes with Cedar alone. The runtime never reads the reference itself, so a missing
// or unusable config is an error and nothing is deployed (never a vMCP without the policies it was given).
//
// Upstream requires the MCPAuthzConfig's own Valid=True and copies its status.configHash, both written by
// ToolHive's MCPAuthzConfig controller, which may not run beside vmcp-lambda: the spec is validated here
// (pure, the same checks) and hashed here instead.

import { MCPAuthzConfig } from "../kinds/authz-config.ts";
import { conditionOf } from "../kinds/conditions.ts";
import { contentHash } from "../kinds/json-tree.ts";
import { shown } from "../kinds/shown.ts";
import { type ReadOptions, readCedarOptions, runtimeAuthz, withAuthz } from "./cedar-options.ts";
import { missingRefs, type Ref, refAt, reference } from "./reference.ts";

const PATH = "spec.incomingAuth.authzConfigRef.name";
export const CEDAR_V1 = "cedarv1";

const condition = conditionOf("AuthzConfigRefValidated");

/** The config's Cedar options, or what keeps it from being used, said at the reference. */
function readConfig(ref: Ref, config: MCPAuthzConfig): ReadOptions {
  const subject = `MCPAuthzConfig ${shown(ref.name)}`;
  const type = config.spec.type;
  if (type !== CEDAR_V1)
    return {
      problem: `${subject} has type ${shown(String(type ?? ""))}, and a VirtualMCPServer can use only ${CEDAR_V1} (the vMCP runtime authorizes with Cedar alone); reference a ${CEDAR_V1} MCPAuthzConfig`,
    };
  const read = readCedarOptions(config.spec.config, "spec.config");
  return "problem" in read ? { problem: `${subject}: ${read.problem}` } : read;
}

export const AUTHZ_CONFIGS = reference({
  kind: "MCPAuthzConfig",
  schema: MCPAuthzConfig,
  refs: (vmcp) => refAt(PATH, vmcp.spec.incomingAuth?.authzConfigRef?.name),
  resolve: (input) => {
    const [ref] = input.refs;
    if (!ref) return { errors: [], conditions: [] };
    const config = input.found.get(ref.name);
    if (!config) {
      const errors = missingRefs(input, "MCPAuthzConfig");
      return {
        errors,
        conditions: [condition("False", "AuthzConfigRefNotFound", errors[0]?.message ?? "")],
      };
    }
    const read = readConfig(ref, config);
    if ("problem" in read)
      return {
        errors: [{ path: PATH, message: read.problem }],
        conditions: [condition("False", "AuthzConfigRefNotValid", read.problem)],
      };
    return {
      errors: [],
      conditions: [condition("True", "AuthzConfigRefValid", `MCPAuthzConfig ${ref.name} is valid and ready`)],
      config: (tree) => withAuthz(tree, runtimeAuthz(read.options)),
      status: { authzConfigHash: contentHash(config.spec) },
    };
  },
});
