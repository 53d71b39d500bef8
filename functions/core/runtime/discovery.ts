// Static-mode discovery: the group's members as backends, with the health their phase implies and the
// auth the spec and the members say; and what the vMCP pod needs for them (secrets, mounts). No I/O: the
// members and auth configs come in the snapshot.

import type { DiscoveredBackend, OutgoingAuth, ProxiedWorkload, Workload } from "../kinds/toolhive.ts";
import { type AuthConfigs, type AuthServer, resolveMemberAuth, type Strategy } from "./outgoing-auth.ts";
import { mergePodAdditions, NO_POD_ADDITIONS, type PodAdditions } from "./pod-additions.ts";
import { caBundleOf, entryHealth, entryPodAdditions } from "./server-entries.ts";

export interface Backend {
  readonly name: string;
  readonly kind: Workload["kind"];
  readonly url: string;
  readonly transport: "sse" | "streamable-http";
  readonly strategy: Strategy;
  /** MCPServerEntry only: the path of its mounted CA bundle, when it names one. */
  readonly caBundlePath?: string;
}

export interface Discovery {
  /** Usable backends, sorted by name: what goes into the vMCP configuration. */
  readonly backends: Backend[];
  /** Every member, sorted by name, as status.discoveredBackends reports it. */
  readonly reported: DiscoveredBackend[];
  /** Why members could not be used, for the status message. */
  readonly problems: string[];
  /** What the pod needs for the usable backends: their auth secrets, entries' headers and CA bundles. */
  readonly pod: PodAdditions;
}

const READY_PHASES = new Set(["Running", "Ready"]);

function transportOf(member: Workload): Backend["transport"] | undefined {
  if (member.kind === "MCPServerEntry") {
    // Required by the CRD, with no default: an entry without one is not guessed at (upstream skips it).
    const { transport } = member.spec;
    return transport === "sse" || transport === "streamable-http" ? transport : undefined;
  }
  // proxyMode is how ToolHive's proxy exposes a stdio server; a server that speaks HTTP itself is reached
  // over its own transport (the CRD defaults proxyMode even there, so it must not win).
  const { transport, proxyMode } = member.spec;
  const chosen = member.kind === "MCPServer" && (transport ?? "stdio") === "stdio" ? proxyMode : transport;
  return chosen === "sse" ? "sse" : "streamable-http";
}

function healthOf(member: ProxiedWorkload): { status: string; message: string } {
  const phase = member.status?.phase;
  if (phase && READY_PHASES.has(phase)) return { status: "ready", message: `${member.kind} is ${phase}` };
  return { status: "unavailable", message: `${member.kind} phase is ${phase ?? "not reported yet"}` };
}

type Usability =
  | { usable: true; status: string; message: string; url: string; caBundlePath?: string }
  | { usable: false; status: string; message: string; url: string; problem: string };

/** Whether a member can be a backend as it stands, apart from its auth. */
function usability(member: Workload): Usability {
  if (member.kind !== "MCPServerEntry") {
    const url = member.status?.url ?? "";
    const health = healthOf(member);
    return url
      ? { usable: true, url, ...health }
      : {
          usable: false,
          url,
          status: "unavailable",
          message: `${member.kind} has no status.url yet`,
          problem: "no URL yet",
        };
  }
  // An entry's URL is its spec's; it is routed to only once Valid (the runtime's rule).
  const url = member.spec.remoteUrl ?? "";
  const health = entryHealth(member);
  const unusable = (problem: string, message = problem) =>
    ({ usable: false, url, status: "unavailable", message, problem }) as const;
  if (!health.usable) return { ...health, usable: false, url, problem: health.message };
  if (!/^https?:\/\//.test(url)) return unusable("spec.remoteUrl is not an http(s) URL");
  if (!transportOf(member)) return unusable("spec.transport is not sse or streamable-http");
  const ca = caBundleOf(member);
  if (!ca.ok) return unusable(ca.reason);
  return { usable: true, url, status: health.status, message: health.message, caBundlePath: ca.path };
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

/** Members by name, then kind: the order status reports them in and the first of a shared name wins. */
const byName = (members: readonly Workload[]) =>
  [...members].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name) || a.kind.localeCompare(b.kind));

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
  const pods: Partial<PodAdditions>[] = [];
  const seen = new Map<string, Workload["kind"]>();
  for (const member of byName(members)) {
    const name = member.metadata.name;
    const first = seen.get(name);
    if (first) {
      problems.push(`${name}: an ${first} of this name is a member already; the ${member.kind} is ignored`);
      continue;
    }
    seen.set(name, member.kind);
    const auth = resolveMemberAuth(member, outgoing, configs, server);
    const use = usability(member);
    let { status, message } = use;
    if (!auth.ok) {
      [status, message] = ["unavailable", auth.reason];
      problems.push(`${name}: ${auth.reason}`);
    } else if (!use.usable) {
      problems.push(`${name}: ${use.problem}`);
    } else {
      backends.push({
        name,
        kind: member.kind,
        url: use.url,
        transport: transportOf(member) ?? "streamable-http",
        strategy: auth.strategy,
        ...(use.caBundlePath ? { caBundlePath: use.caBundlePath } : {}),
      });
      pods.push({ secretEnv: auth.env });
      if (member.kind === "MCPServerEntry") pods.push(entryPodAdditions(member));
    }
    reported.push({
      name,
      url: use.url,
      status,
      ...(auth.configRef ? { authConfigRef: auth.configRef } : {}),
      authType: auth.ok ? auth.strategy.type : "unknown",
      lastHealthCheck: checkedAt(name, status, previous, now),
      message,
    });
  }
  return { backends, reported, problems, pod: mergePodAdditions(...pods) };
}

/**
 * Dynamic mode: the runtime discovers the members itself, but takes their secrets from its env (upstream
 * mounts them in both modes, #6837), and an entry's forwarded headers and CA bundle too. Those of an entry
 * only once it is Valid, unlike upstream: a Failed entry may name a Secret or ConfigMap that does not exist,
 * and referencing it would keep the whole pod from starting where the runtime would skip only that entry.
 */
export function memberPodAdditions(
  members: readonly Workload[],
  configs: AuthConfigs,
  server?: AuthServer,
): PodAdditions {
  if (members.length === 0) return NO_POD_ADDITIONS;
  return mergePodAdditions(
    ...byName(members).flatMap((member) => {
      const resolved = resolveMemberAuth(member, undefined, configs, server);
      const auth = { secretEnv: resolved.ok ? resolved.env : [] };
      return member.kind === "MCPServerEntry" && entryHealth(member).usable
        ? [auth, entryPodAdditions(member)]
        : [auth];
    }),
  );
}

/** Routable backends, as upstream counts them: ready or unauthenticated. */
export const routableCount = (backends: readonly DiscoveredBackend[]): number =>
  backends.filter((b) => b.status === "ready" || b.status === "unauthenticated").length;
