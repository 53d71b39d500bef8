// The rooms of functions/ and their doors, declared once and checked on every import. A room may import
// only from the rooms it uses, and there only its doors: the files other rooms may rely on. What is not a
// door is the room's own business, free to change. Tests import any file (they test internals).
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/** A folder of functions/, named from there. */
type Room = string;
interface Plan {
  /** The rooms it may import from; nothing else in functions/. */
  readonly uses: readonly Room[];
  /** Its files (in the room's folder) that other rooms may import. */
  readonly doors: readonly string[];
  /** Folders outside functions/ it may import. */
  readonly tooling?: readonly string[];
}

const CORE = [
  "core/kinds",
  "core/runtime",
  "core/references",
  "core/admission",
  "core/reconcile",
  "core/delivery",
  "core/control",
];

const HOUSE: Readonly<Record<Room, Plan>> = {
  // The vocabulary: schemas of the kinds, names, field errors, JSON trees, where each kind lives in the
  // API. Every file is a door.
  "core/kinds": {
    uses: [],
    doors: [
      "composite-tool-definition.ts",
      "authz-config.ts",
      "conditions.ts",
      "embedding-server.ts",
      "field-errors.ts",
      "json-tree.ts",
      "kubernetes.ts",
      "names.ts",
      "oidc-config.ts",
      "outgoing-auth-entries.ts",
      "resources.ts",
      "shown.ts",
      "telemetry-config.ts",
      "tool-config.ts",
      "toolhive.ts",
    ],
  },
  // The runtime's configuration and report per version. Only config-shape.ts is private: the admission
  // and reconcile rooms each reach for the parts they need.
  "core/runtime": {
    uses: ["core/kinds"],
    doors: [
      "auth-server.ts",
      "auth-server-conditions.ts",
      "auth-server-integration.ts",
      "auth-server-run-config.ts",
      "composite-rules.ts",
      "config-fit.ts",
      "config.ts",
      "discovery.ts",
      "outgoing-auth.ts",
      "pod-additions.ts",
      "primary-upstream.ts",
      "projection.ts",
      "renderable.ts",
      "report.ts",
      "rules.ts",
      "versions.ts",
    ],
  },
  // The kinds a VirtualMCPServer references by name, and what each means for the runtime: one resolver
  // per kind behind the table (references.ts); reference.ts is the contract a resolver keeps.
  "core/references": {
    uses: ["core/runtime", "core/kinds"],
    doors: ["references.ts", "reference.ts"],
  },
  // Admission decisions. spec-problems.ts is the spec check the reconcile runs too.
  "core/admission": {
    uses: ["core/references", "core/runtime", "core/kinds"],
    doors: ["review.ts", "mutate.ts", "validate.ts", "spec-problems.ts"],
  },
  // Who controls a VirtualMCPServer (vmcp-lambda or ToolHive's operator), the handover of its children
  // between them, and the admission fence that keeps the operator off what vmcp-lambda controls.
  "core/control": {
    uses: ["core/kinds"],
    doors: ["controller.ts", "handover.ts", "fence.ts"],
  },
  // The reconcile: a snapshot in, a plan out; plan.ts is its front door, the rest its helpers.
  "core/reconcile": {
    uses: ["core/admission", "core/references", "core/runtime", "core/control", "core/kinds"],
    doors: ["plan.ts", "related-kinds.ts"],
  },
  // Delivery: hints, hint windows, queue batches.
  "core/delivery": {
    uses: ["core/reconcile", "core/kinds"],
    doors: ["change-hint.ts", "hint-window.ts", "queue-batch.ts"],
  },
  // The API server's access; its retry, signing and raw requests stay inside.
  kube: {
    uses: CORE,
    doors: ["api.ts", "snapshot.ts"],
  },
  // The shells. The CLI runs the functions' own paths, and the resync the reconcile's.
  admission: {
    uses: [...CORE, "kube", "lambda"],
    doors: ["admit.ts", "lookups.ts", "webhook-config.ts"],
  },
  // The shell the four Lambdas share: their settings, the host, how they reach the API server (EKS or SSM
  // tokens), lazily loaded clients, the queue sender.
  lambda: {
    uses: [...CORE, "kube"],
    doors: [
      "cluster-access.ts",
      "host.ts",
      "on-first-use.ts",
      "reconcile-queue.ts",
      "reconcile-side.ts",
      "secure-parameter.ts",
      "settings.ts",
    ],
  },
  reconcile: {
    uses: [...CORE, "kube", "lambda"],
    doors: ["reconcile-one.ts"],
  },
  resync: {
    uses: [...CORE, "kube", "lambda", "reconcile"],
    doors: ["resync-all.ts"],
  },
  cli: {
    uses: [...CORE, "kube", "lambda", "admission", "reconcile", "resync"],
    doors: [],
    tooling: ["infra/local/"],
  },
};

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const ROOMS = Object.keys(HOUSE);
const plan = (room: Room): Plan => HOUSE[room] ?? { uses: [], doors: [] };

/** The room a path (from the repository) is in: the longest room folder it is under. */
const roomOf = (path: string): Room | undefined =>
  ROOMS.filter((room) => path.startsWith(`functions/${room}/`)).sort((a, b) => b.length - a.length)[0];

// `import … from`, `export … from` (type-only ones too), `import "…"`, `import("…")`, `typeof import("…")`.
const IMPORTS = [
  /^(?:import|export)\s[^;'"`]*?\sfrom\s*(["'])(.+?)\1/gm,
  /^import\s*(["'])(.+?)\1/gm,
  /\bimport\(\s*(["'])(.+?)\1\s*\)/g,
];
const importsOf = (text: string) =>
  IMPORTS.flatMap((pattern) => [...text.matchAll(pattern)].map((m) => m[2]));

const FILES = readdirSync(join(REPO, "functions"), { recursive: true, encoding: "utf8" })
  .filter((name) => name.endsWith(".ts"))
  .map((name) => `functions/${name}`)
  .sort();

/** Each import of another room's file that the table does not allow, with the rule it breaks. */
function trespasses(): string[] {
  const found: string[] = [];
  for (const file of FILES) {
    const from = roomOf(file);
    if (!from) continue; // reported by the test that every file has a room
    for (const specifier of importsOf(readFileSync(join(REPO, file), "utf8"))) {
      if (!specifier?.startsWith(".")) continue; // packages: biome.json's rules
      const target = relative(REPO, join(REPO, dirname(file), specifier));
      const to = roomOf(target);
      const at = `${file} imports "${specifier}"`;
      if (to === from) continue;
      if (!to) {
        if (!plan(from).tooling?.some((folder) => target.startsWith(folder)))
          found.push(
            `${at}: ${target} is in no room of functions/, and ${from} may import nothing outside it`,
          );
      } else if (!plan(from).uses.includes(to)) {
        found.push(`${at}: ${from} does not use ${to} (it uses ${plan(from).uses.join(", ") || "no room"})`);
      } else if (!plan(to).doors.includes(target.slice(`functions/${to}/`.length))) {
        found.push(`${at}: not a door of ${to} (its doors: ${plan(to).doors.join(", ") || "none"})`);
      }
    }
  }
  return found;
}

describe("the house of functions/", () => {
  it("has every file in a room", () => {
    expect(FILES.filter((file) => !roomOf(file))).toEqual([]);
  });

  it("names only its own rooms", () => {
    expect(ROOMS.flatMap((room) => plan(room).uses.filter((used) => !ROOMS.includes(used)))).toEqual([]);
  });

  it("has its rooms depend one way: no room uses itself through others", () => {
    const reaches = (room: Room, seen: Room[] = []): Room[] =>
      plan(room).uses.flatMap((used) =>
        seen.includes(used) ? [] : [used, ...reaches(used, [...seen, used])],
      );
    expect(ROOMS.filter((room) => reaches(room).includes(room))).toEqual([]);
  });

  it("has the functional core use no shell", () => {
    expect(CORE.flatMap((room) => plan(room).uses.filter((used) => !CORE.includes(used)))).toEqual([]);
  });

  it("has each import go to a room the importer uses, through one of its doors", () => {
    expect(trespasses()).toEqual([]);
  });
});
