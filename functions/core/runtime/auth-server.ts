// The embedded authorization server a VirtualMCPServer may run inside its vMCP pod (spec.authServerConfig).
import { isTree, type Tree } from "../kinds/json-tree.ts";
import type { VirtualMCPServer } from "../kinds/toolhive.ts";
import type { AuthServer } from "./outgoing-auth.ts";

/** spec.authServerConfig as backend strategies see it, or undefined when the VirtualMCPServer has none. */
export function authServerOf(vmcp: VirtualMCPServer): AuthServer | undefined {
  const config = (vmcp.spec as Tree).authServerConfig;
  if (!isTree(config)) return undefined;
  const providers = Array.isArray(config.upstreamProviders) ? config.upstreamProviders : [];
  return { upstreams: providers.map((p) => (isTree(p) && typeof p.name === "string" ? p.name : "")) };
}
