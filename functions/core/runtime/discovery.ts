// Static-mode discovery: the group's members as backends, with the health their phase implies and the
// auth the spec and the members say. No I/O: the members and auth configs come in the snapshot.

import type { DiscoveredBackend, OutgoingAuth, Workload } from "../kinds/toolhive.ts";
import {
  type AuthConfigs,
  type AuthServer,
  resolveMemberAuth,
  type SecretEnv,
  type Strategy,
} from "./outgoing-auth.ts";

export interface Backend {
  readonly name: string;
  readonly kind: Workload["kind"];
  readonly url: string;
  readonly transport: "sse" | "streamable-http";
  readonly strategy: Strategy;
}

export interface Discovery {
  /** Usable backends, sorted by name: what goes into the vMCP configuration. */
  readonly backends: Backend[];
  /** Every member, sorted by name, as status.discoveredBackends reports it. */
  readonly reported: DiscoveredBackend[];
  /** Why members could not be used, for the status message. */
  readonly problems: string[];
  readonly env: SecretEnv[];
}

const READY_PHASES = new Set(["Running", "Ready"]);

function transportOf(member: Workload): Backend["transport"] {
  // proxyMode is how ToolHive's proxy exposes a stdio server; a server that speaks HTTP itself is reached
  // over its own transport (the CRD defaults proxyMode even there, so it must not win).
  const { transport, proxyMode } = member.spec;
  const chosen = member.kind === "MCPServer" && (transport ?? "stdio") === "stdio" ? proxyMode : transport;
  return chosen === "sse" ? "sse" : "streamable-http";
}

function healthOf(member: Workload): { status: string; message: string } {
  const phase = member.status?.phase;
  if (phase && READY_PHASES.has(phase)) return { status: "ready", message: `${member.kind} is ${phase}` };
  return { status: "unavailable", message: `${member.kind} phase is ${phase ?? "not reported yet"}` };
}

/** `lastHealthCheck` is kept while a backend's status stays the same, so steady state writes nothing. */
function checkedAt(
  name: string,
  status: string,
  previous: readonly DiscoveredBackend[],
  now: string,
): string {
  const before = previous.find((b) => b.name === name);
  return before?.status === status && before.lastHealthCheck ? before.lastHealthCheck : now;
}

export function discoverBackends(
  members: readonly Workload[],
  outgoing: OutgoingAuth | undefined,
  configs: AuthConfigs,
  previous: readonly DiscoveredBackend[],
  now: string,
  /** The VirtualMCPServer's embedded authorization server, which upstreamInject needs. */
  server?: AuthServer,
): Discovery {
  const backends: Backend[] = [];
  const reported: DiscoveredBackend[] = [];
  const problems: string[] = [];
  const env: SecretEnv[] = [];
  const seen = new Set<string>();
  const sorted = [...members].sort(
    (a, b) => a.metadata.name.localeCompare(b.metadata.name) || a.kind.localeCompare(b.kind),
  );
  for (const member of sorted) {
    const name = member.metadata.name;
    if (seen.has(name)) {
      problems.push(
        `${name}: an MCPServer and an MCPRemoteProxy share this name; the ${member.kind} is ignored`,
      );
      continue;
    }
    seen.add(name);
    const url = member.status?.url ?? "";
    const auth = resolveMemberAuth(member, outgoing, configs, server);
    let { status, message } = healthOf(member);
    if (!auth.ok) {
      [status, message] = ["unavailable", auth.reason];
      problems.push(`${name}: ${auth.reason}`);
    } else if (!url) {
      [status, message] = ["unavailable", `${member.kind} has no status.url yet`];
      problems.push(`${name}: no URL yet`);
    } else {
      backends.push({
        name,
        kind: member.kind,
        url,
        transport: transportOf(member),
        strategy: auth.strategy,
      });
      env.push(...auth.env);
    }
    reported.push({
      name,
      url,
      status,
      ...(auth.configRef ? { authConfigRef: auth.configRef } : {}),
      authType: auth.ok ? auth.strategy.type : "unknown",
      lastHealthCheck: checkedAt(name, status, previous, now),
      message,
    });
  }
  return { backends, reported, problems, env };
}

/** Routable backends, as upstream counts them: ready or unauthenticated. */
export const routableCount = (backends: readonly DiscoveredBackend[]): number =>
  backends.filter((b) => b.status === "ready" || b.status === "unauthenticated").length;
