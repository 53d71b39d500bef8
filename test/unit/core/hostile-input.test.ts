// Hostile input in the pure core: odd Unicode shown escaped, names at the length limits, nesting deep
// enough to overflow a recursive walk, references that are no names, and queue messages naming no object.
import { describe, expect, it } from "vitest";
import { mutate } from "../../../functions/core/admission/mutate.ts";
import type { AdmissionRequest } from "../../../functions/core/admission/review.ts";
import { validateVirtualMCPServer } from "../../../functions/core/admission/spec-problems.ts";
import { decideValidation, referencesOf } from "../../../functions/core/admission/validate.ts";
import { readMessage } from "../../../functions/core/delivery/queue-batch.ts";
import { formatErrors } from "../../../functions/core/kinds/field-errors.ts";
import { deeperThan, MAX_SPEC_DEPTH } from "../../../functions/core/kinds/json-tree.ts";
import { shown } from "../../../functions/core/kinds/shown.ts";
import { planReconcile } from "../../../functions/core/reconcile/plan.ts";
import { NOW, RUNTIME, snapshot, vmcp } from "../../../infra/local/test-kit/core-inputs.ts";

/** `levels` objects, each the only value of the one before: {"a":{"a":...1}}. */
const nested = (levels: number): unknown => JSON.parse(`${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`);
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

const named = (name: string) => {
  const object = vmcp();
  object.metadata.name = name;
  return object;
};

// Every one fails the DNS label rule; each shown as the escapes that say why.
const ODD_NAMES: readonly [string, string, string][] = [
  ["a right-to-left override", "tools\u202etxt.exe", '"tools\\u202etxt.exe"'],
  ["a zero-width joiner", "to\u200dols", '"to\\u200dols"'],
  ["a combining accent", "caf\u0065\u0301", '"cafe\\u0301"'],
  ["an emoji", "tools-\u{1f600}", '"tools-\\u{1f600}"'],
  ["a NUL", "tools\u0000x", '"tools\\u0000x"'],
  ["a lone surrogate", "tools\ud800", '"tools\\ud800"'],
  ["full-width digits", "tools\uff11\uff12", '"tools\\uff11\\uff12"'],
  ["a quote and a backslash", 'a"b\\c', '"a\\"b\\\\c"'],
  ["a newline", "tools\nkind: Secret", '"tools\\u000akind: Secret"'],
];

describe("shown", () => {
  it.each(ODD_NAMES)("escapes %s, leaving printable ASCII only", (_, name, expected) => {
    expect(shown(name)).toBe(expected);
    expect(shown(name)).toMatch(PRINTABLE_ASCII);
  });

  it("shows at most 100 characters of a 3 MiB string", () => {
    expect(shown("x".repeat(3 * 1024 * 1024))).toBe(`"${"x".repeat(100)}"...`);
    expect(shown("\u{1f600}".repeat(101))).toBe(`"${"\\u{1f600}".repeat(100)}"...`);
  });
});

describe("deeperThan", () => {
  it("counts containers, not scalars, and walks 100,000 levels without a stack", () => {
    expect(deeperThan("x".repeat(10), 0)).toBe(false);
    expect(deeperThan(nested(100), 100)).toBe(false);
    expect(deeperThan(nested(101), 100)).toBe(true);
    expect(deeperThan(JSON.parse(`${"[".repeat(100_000)}${"]".repeat(100_000)}`), 100)).toBe(true);
  });
});

describe("validation of hostile names", () => {
  it("admits the longest name and refuses one more character, naming the 63-character Service limit", () => {
    expect(validateVirtualMCPServer(named("a".repeat(58)))).toEqual([]);
    expect(formatErrors(validateVirtualMCPServer(named("a".repeat(59))))).toBe(
      `metadata.name: "${"a".repeat(59)}" has 59 characters; at most 58 fit, since the Service is vmcp-<name> and Service names are limited to 63; choose a shorter name`,
    );
  });

  it.each(ODD_NAMES)("refuses a name with %s at metadata.name, escaped", (_, name, escaped) => {
    const errors = validateVirtualMCPServer(named(name));
    expect(errors).toEqual([
      {
        path: "metadata.name",
        message: `${escaped} is not a DNS label (lowercase letters, digits and '-'); it names the vMCP Deployment and Service`,
      },
    ]);
    expect(formatErrors(errors)).toMatch(PRINTABLE_ASCII);
  });

  it.each([
    ["a subresource path", "team-group/status"],
    ["a parent path", ".."],
    ["capitals", "Team"],
    ["254 characters", "g".repeat(254)],
  ])("refuses a groupRef with %s, and does not look it up", (_, group) => {
    const object = vmcp({ groupRef: { name: group } });
    expect(validateVirtualMCPServer(object).map((e) => [e.path, e.message])).toEqual([
      [
        "spec.groupRef.name",
        expect.stringMatching(/^".*"(\.\.\.)? cannot be the name of any MCPGroup \(lowercase letters/),
      ],
    ]);
    expect(referencesOf(review(object)).group).toBeUndefined();
  });

  it("refuses an externalAuthConfigRef that is no name, and does not look it up", () => {
    const object = vmcp({
      outgoingAuth: {
        source: "inline",
        backends: { github: { type: "externalAuthConfigRef", externalAuthConfigRef: { name: "x/status" } } },
      },
    });
    expect(validateVirtualMCPServer(object).map((e) => e.path)).toEqual([
      "spec.outgoingAuth.backends[github].externalAuthConfigRef.name",
    ]);
    expect(referencesOf(review(object)).authConfigs.size).toBe(0);
  });

  it("accepts a dotted reference, as Kubernetes names may have dots", () => {
    expect(validateVirtualMCPServer(vmcp({ groupRef: { name: "team.group" } }))).toEqual([]);
  });
});

function review(object: unknown, operation: AdmissionRequest["operation"] = "CREATE"): AdmissionRequest {
  return {
    uid: "u-1",
    kind: { group: "toolhive.stacklok.dev", version: "v1beta1", kind: "VirtualMCPServer" },
    resource: { group: "toolhive.stacklok.dev", version: "v1beta1", resource: "virtualmcpservers" },
    namespace: "tools",
    operation,
    object,
  };
}

describe("nesting", () => {
  it(`accepts ${MAX_SPEC_DEPTH} levels under a spec field and refuses 10,000 with the field named`, () => {
    expect(validateVirtualMCPServer(vmcp({ config: nested(MAX_SPEC_DEPTH) as never }))).toEqual([]);
    const deep = vmcp({ config: nested(10_000) as never, podTemplateSpec: nested(10_000) as never });
    expect(validateVirtualMCPServer(deep)).toEqual([
      {
        path: "spec.config",
        message: "nested more than 100 levels deep; no setting needs that many, so flatten it",
      },
      {
        path: "spec.podTemplateSpec",
        message: "nested more than 100 levels deep; no setting needs that many, so flatten it",
      },
    ]);
  });

  it("mutates nothing in a 10,000-deep object, and validation refuses it with the reason", () => {
    const object = { ...vmcp(), spec: { ...vmcp().spec, config: nested(10_000) } };
    expect(mutate("VirtualMCPServer", object)).toEqual({ patch: [], warnings: [] });
    const decision = decideValidation(review(object), { group: "found", authConfigs: new Map() });
    expect(decision).toMatchObject({
      allowed: false,
      message: expect.stringMatching(/^spec.config: nested/),
    });
  });

  it("plans a 10,000-deep object that got in as invalid: no child, Valid=False, phase Failed", () => {
    const deep = vmcp({ config: nested(10_000) as never, podTemplateSpec: nested(10_000) as never });
    const plan = planReconcile(snapshot({ vmcp: deep }), {
      image: "example/vmcp:1",
      runtime: RUNTIME,
      now: NOW,
    });
    expect(plan).toMatchObject({ outcome: "invalid", apply: [], remove: [] });
    expect(plan.status).toMatchObject({ phase: "Failed" });
    expect(plan.status?.conditions).toContainEqual(
      expect.objectContaining({
        type: "Valid",
        status: "False",
        reason: "ValidationFailed",
        message: expect.stringContaining("spec.config: nested more than 100 levels deep"),
      }),
    );
  });
});

describe("queue messages that name no object", () => {
  const request = (namespace: string, name: string) => JSON.stringify({ namespace, name, trigger: "hint" });

  it.each([
    [
      "a subresource in the name",
      request("tools", "team/status"),
      'name: "team/status" is not an object name',
    ],
    ["a parent path as namespace", request("..", "team"), 'namespace: ".." is not a namespace name'],
    ["a dot as name", request("tools", "."), 'name: "." is not an object name'],
    ["an escaped path", request("tools", "%2e%2e"), 'name: "%2e%2e" is not an object name'],
    ["a bidi override", request("tools", "te\u202eam"), 'name: "te\\u202eam" is not an object name'],
    ["a 64-character namespace", request("n".repeat(64), "team"), "is not a namespace name"],
  ])("drops %s with the reason", (_, body, reason) => {
    const read = readMessage(body);
    expect(read).toEqual({ ok: false, reason: expect.stringContaining(reason) });
  });

  it("keeps names Kubernetes allows: dotted, and 253 characters", () => {
    expect(readMessage(request("tools", "team.a")).ok).toBe(true);
    expect(
      readMessage(request("tools", `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}`))
        .ok,
    ).toBe(true);
  });
});
