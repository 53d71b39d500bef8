// Secrets never reach logs, status, Events or children: a whole scenario with secret-bearing auth configs
// (admission through the Lambda handler and the CLI, reconcile through the Lambda handler and the CLI,
// resync) run as the functions' own identity, then everything they printed or wrote scanned for the values.

import { rmSync } from "node:fs";
import { dirname } from "node:path";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { admissionHandler } from "../../functions/admission/handler.ts";
import { lookUp } from "../../functions/admission/lookups.ts";
import { reconcileHandler } from "../../functions/reconcile/handler.ts";
import { patchStatus, userApply } from "../../infra/local/test-kit/actors.ts";
import { admissionReview } from "../../infra/local/test-kit/admission-review.ts";
import { runCli } from "../../infra/local/test-kit/command-line.ts";
import {
  defaultAdmissionSettings,
  lambdaContext,
  sqsEvent,
  sqsRecord,
} from "../../infra/local/test-kit/lambda.ts";
import {
  mcpAuthzConfig,
  mcpExternalAuthConfig,
  mcpGroup,
  mcpOIDCConfig,
  mcpServer,
  mcpServerEntry,
  mcpTelemetryConfig,
  virtualMCPServer,
} from "../../infra/local/test-kit/toolhive-objects.ts";
import { kubeConfig, kubectl, useNamespace } from "./cluster.ts";
import { applyFunctionsRbac, functionsKubeConfig, functionsKubeconfigFile } from "./functions-identity.ts";
import { leaks, secretValue, spellings } from "./secret-scanner.ts";

const namespace = useNamespace("secrets");
const ns = () => namespace.name;
type Any = Record<string, any>;

// In Secrets, where they belong; and two pasted where they do not, into objects the functions read.
const SECRETS = {
  apiKey: secretValue(),
  clientSecret: secretValue(),
  bearer: secretValue(),
  strayInAuthConfig: secretValue(),
  strayInMemberEnv: secretValue(),
  // The kinds a VirtualMCPServer references by name: each one's own secret, and one pasted beside it.
  oidcClientSecret: secretValue(),
  otelToken: secretValue(),
  entryKey: secretValue(),
  strayInOidcConfig: secretValue(),
  strayInTelemetryConfig: secretValue(),
  strayInEntry: secretValue(),
  strayInAuthzConfig: secretValue(),
};

const authConfig = (name: string, type: string, settings: Any) =>
  mcpExternalAuthConfig(name, { spec: { type, [type]: settings } });
const ref = (key: string) => ({ name: "creds", key });
const OBJECTS = [
  mcpGroup("vault"),
  authConfig("weather-key", "headerInjection", { headerName: "X-API-Key", valueSecretRef: ref("api-key") }),
  authConfig("idp-exchange", "tokenExchange", {
    tokenUrl: "https://idp.example.com/token",
    clientId: "vmcp",
    clientSecretRef: ref("client-secret"),
    audience: "backends",
    clientSecret: SECRETS.strayInAuthConfig, // no such field; kept by the schema's unknown fields
  }),
  authConfig("legacy-bearer", "bearerToken", { tokenSecretRef: ref("bearer") }),
  mcpServer("weather", {
    group: "vault",
    spec: {
      externalAuthConfigRef: { name: "weather-key" },
      env: [{ name: "WEATHER_TOKEN", value: SECRETS.strayInMemberEnv }],
    },
  }),
  mcpServer("archive", { group: "vault", spec: { externalAuthConfigRef: { name: "legacy-bearer" } } }),
  mcpServer("search", { group: "vault" }),
  virtualMCPServer("inline-vmcp", {
    group: "vault",
    spec: {
      outgoingAuth: {
        source: "inline",
        default: { type: "externalAuthConfigRef", externalAuthConfigRef: { name: "idp-exchange" } },
        backends: { weather: { type: "discovered" } },
      },
    },
  }),
  virtualMCPServer("bearer-vmcp", {
    group: "vault",
    spec: {
      outgoingAuth: {
        source: "inline",
        default: { type: "externalAuthConfigRef", externalAuthConfigRef: { name: "legacy-bearer" } },
      },
    },
  }),
  virtualMCPServer("dynamic-vmcp", { group: "vault", spec: { outgoingAuth: { source: "discovered" } } }),
  mcpGroup("remote"),
  mcpServerEntry("partner", {
    group: "remote",
    spec: {
      headerForward: {
        addHeadersFromSecret: [{ headerName: "X-Partner-Key", valueSecretRef: ref("entry-key") }],
      },
      apiKey: SECRETS.strayInEntry,
    },
  }),
  mcpOIDCConfig("idp", {
    spec: {
      type: "inline",
      inline: {
        issuer: "https://idp.example.com",
        clientId: "vmcp",
        clientSecretRef: ref("oidc-client-secret"),
        clientSecret: SECRETS.strayInOidcConfig,
      },
    },
  }),
  mcpTelemetryConfig("otel", {
    spec: {
      openTelemetry: {
        enabled: true,
        endpoint: "otel-collector:4318",
        tracing: { enabled: true },
        sensitiveHeaders: [{ name: "Authorization", secretKeyRef: ref("otel-token") }],
        token: SECRETS.strayInTelemetryConfig,
      },
    },
  }),
  mcpAuthzConfig("policy", {
    spec: {
      type: "cedarv1",
      config: { policies: ["permit(principal, action, resource);"] },
      signingKey: SECRETS.strayInAuthzConfig,
    },
  }),
  virtualMCPServer("referencing-vmcp", {
    group: "remote",
    spec: {
      outgoingAuth: { source: "inline" },
      incomingAuth: {
        type: "oidc",
        oidcConfigRef: { name: "idp", audience: "vmcp" },
        authzConfigRef: { name: "policy" },
      },
      telemetryConfigRef: { name: "otel" },
    },
  }),
];
const VMCPS = ["inline-vmcp", "bearer-vmcp", "dynamic-vmcp", "referencing-vmcp"];

const printed: Record<string, string> = {};

/** Runs `work` with everything this process writes to stdout and stderr kept under `name`. */
async function capturing<T>(name: string, work: () => Promise<T>): Promise<T> {
  const keep = (chunk: string | Uint8Array) => {
    printed[name] = (printed[name] ?? "") + chunk.toString();
    return true;
  };
  const out = vi.spyOn(process.stdout, "write").mockImplementation(keep);
  const err = vi.spyOn(process.stderr, "write").mockImplementation(keep);
  try {
    return await work();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

async function cli(name: string, args: string[], stdin?: string) {
  const result = await runCli(args, {
    stdin,
    env: { ...process.env, KUBECONFIG: "", VMCP_IMAGE: "example/vmcp:scan", VMCP_RUNTIME_VERSION: "v0.47.0" },
  });
  printed[`cli ${name}`] = result.stdout + result.stderr;
  return result;
}

const TOKEN = "scan-token";
const CLI_MUTATES = ["idp-exchange", "inline-vmcp"];
const logger = () => new Logger({ serviceName: "secret-scan", logLevel: "DEBUG" });

async function admitAll() {
  const log = logger();
  const handler = admissionHandler({
    // The function's own defaults, as a deployment without extra settings gets them.
    settings: defaultAdmissionSettings(TOKEN),
    lookUp: (request) => lookUp(functionsKubeConfig(), request),
    publisher: { publish: async (hint) => log.info("change hint", { hint }) },
    logger: log,
    metrics: new Metrics({ namespace: "test" }),
  });
  for (const object of OBJECTS) {
    const { kind, metadata } = object;
    const full = { ...object, metadata: { ...metadata, namespace: ns() } };
    const review = JSON.stringify(
      admissionReview(kind, full, { uid: `u-${metadata.name}`, namespace: ns(), name: metadata.name }),
    );
    for (const webhook of ["validate", "mutate"]) {
      const response = await capturing("admission handler", () =>
        handler({
          rawPath: `/${TOKEN}/${webhook}`,
          headers: { "content-type": "application/json" },
          requestContext: { http: { method: "POST" } },
          body: review,
        } as unknown as APIGatewayProxyEventV2),
      );
      expect(response.statusCode, response.body).toBe(200);
      printed[`admission ${webhook} ${metadata.name}`] = JSON.stringify(response);
    }
    // The command line too, for the objects whose validation asks the API server (a process each: slow).
    if (kind !== "MCPExternalAuthConfig" && kind !== "VirtualMCPServer") continue;
    for (const flags of CLI_MUTATES.includes(metadata.name) ? [[], ["--mutate"]] : [[]]) {
      const run = await cli(
        `admit ${metadata.name} ${flags}`,
        ["admit", ...flags, "--kubeconfig", kubeconfigFile],
        review,
      );
      expect(run.status, run.stderr).toBe(0);
    }
  }
}

async function reconcileAll() {
  const handler = reconcileHandler({
    logger: logger(),
    metrics: new Metrics({ namespace: "test" }),
    kubeConfig: async () => functionsKubeConfig(),
    options: { image: "example/vmcp:v0.47.0" },
    staleHintReceives: 3,
    retryLater: async () => undefined,
  });
  const records = VMCPS.map((name) =>
    sqsRecord({ namespace: ns(), name, trigger: "resync" }, { groupId: `${ns()}/${name}` }),
  );
  const result = await capturing("reconcile handler", () => handler(sqsEvent(records), lambdaContext()));
  expect(result).toEqual({ batchItemFailures: [] });
  for (const name of VMCPS) {
    const run = await cli(`reconcile ${name}`, [
      "reconcile",
      `${ns()}/${name}`,
      "--kubeconfig",
      kubeconfigFile,
    ]);
    expect(run.status, run.stderr).toBe(0);
  }
  const resync = await cli("resync", ["resync", "--namespace", ns(), "--kubeconfig", kubeconfigFile]);
  expect(JSON.parse(resync.stdout)).toMatchObject({ objects: VMCPS.length, failed: 0 });
}

/** What the functions wrote, read back as the admin. */
const written = () => ({
  objects: kubectl([
    "get",
    "virtualmcpservers,configmaps,deployments,services,serviceaccounts,roles,rolebindings",
    "-n",
    ns(),
    "-o",
    "json",
  ]).stdout,
  events: kubectl(["get", "events", "-n", ns(), "-o", "json"]).stdout,
});

let kubeconfigFile = "";
afterAll(() => rmSync(dirname(kubeconfigFile), { recursive: true, force: true }));
beforeAll(async () => {
  await applyFunctionsRbac();
  kubeconfigFile = functionsKubeconfigFile();
  const secret = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "creds", namespace: ns() },
    stringData: {
      "api-key": SECRETS.apiKey,
      "client-secret": SECRETS.clientSecret,
      bearer: SECRETS.bearer,
      "oidc-client-secret": SECRETS.oidcClientSecret,
      "otel-token": SECRETS.otelToken,
      "entry-key": SECRETS.entryKey,
    },
  };
  expect(kubectl(["apply", "-f", "-"], JSON.stringify(secret)).status).toBe(0);
  await userApply(kubeConfig(), ns(), ...OBJECTS);
  await patchStatus(kubeConfig(), "MCPServerEntry", ns(), "partner", { phase: "Valid" });
  for (const name of ["weather", "archive", "search"])
    await patchStatus(kubeConfig(), "MCPServer", ns(), name, {
      phase: "Running",
      url: `http://mcp-${name}:8080/mcp`,
    });
}, 60_000);

describe("secret scanning", () => {
  it("finds a planted value as it is, in hex, and in base64 or base64url at any alignment", () => {
    const value = secretValue();
    const b64 = (prefix: string) => Buffer.from(`${prefix}${value}" }`).toString("base64");
    const control = {
      plain: `{"env":[{"value":"${value}"}]}`,
      hex: Buffer.from(`x${value}`).toString("hex"),
      shift0: b64(""),
      shift1: b64("{"),
      shift2: b64('{"'),
      url: b64('{"a').replaceAll("+", "-").replaceAll("/", "_"),
      clean: `${secretValue()} ${Buffer.from(secretValue()).toString("base64")}`,
    };
    expect(new Set(leaks(control, { value }).map((leak) => leak.where))).toEqual(
      new Set(["plain", "hex", "shift0", "shift1", "shift2", "url"]),
    );
    expect(spellings(value).every((s) => s.length >= 32)).toBe(true); // long enough never to match by chance
  });

  it("finds every value where the user put it: the Secret, the auth config, the member, the referenced kinds", () => {
    const sources = {
      secret: kubectl(["get", "secret", "creds", "-n", ns(), "-o", "json"]).stdout, // data in base64
      authConfig: kubectl(["get", "mcpexternalauthconfigs", "idp-exchange", "-n", ns(), "-o", "json"]).stdout,
      member: kubectl(["get", "mcpservers", "weather", "-n", ns(), "-o", "json"]).stdout,
      referenced: kubectl([
        "get",
        "mcpserverentries,mcpoidcconfigs,mcptelemetryconfigs,mcpauthzconfigs",
        "-n",
        ns(),
        "-o",
        "json",
      ]).stdout,
    };
    expect(new Set(leaks(sources, SECRETS).map((leak) => leak.secret))).toEqual(
      new Set(Object.keys(SECRETS)),
    );
  });

  it("admission, reconcile and resync as the functions print and write none of them", async () => {
    await admitAll();
    await reconcileAll();
    const cluster = written();
    expect(leaks({ ...printed, ...cluster }, SECRETS)).toEqual([]);

    // The scan looked at real output: logs from both handlers, every CLI run, the children and Events.
    expect(printed["admission handler"]).toContain('"message":"admission decision"');
    expect(printed["reconcile handler"]).toContain('"message":"reconciled"');
    expect(Object.keys(printed).filter((k) => k.startsWith("cli "))).toHaveLength(14);
    const objects = JSON.parse(cluster.objects).items as Any[];
    expect(
      objects
        .filter((o) => o.kind === "Deployment")
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(["dynamic-vmcp", "inline-vmcp", "referencing-vmcp"]);
    expect(JSON.parse(cluster.events).items.length).toBeGreaterThan(0);
    const bearer = objects.find((o) => o.metadata.name === "bearer-vmcp" && o.kind === "VirtualMCPServer");
    expect(JSON.stringify(bearer?.status.conditions)).toContain("legacy-bearer"); // refused, by name only
  }, 180_000);

  it("gives the vMCP pod its secrets as secretKeyRef env only", () => {
    const deployments = JSON.parse(kubectl(["get", "deployments", "-n", ns(), "-o", "json"]).stdout)
      .items as Any[];
    const env = (name: string) =>
      (
        (deployments.find((d) => d.metadata.name === name) as Any).spec.template.spec.containers as Any[]
      ).flatMap((c) => c.env ?? []) as Any[];
    const fromSecrets = (name: string) =>
      env(name)
        .filter((e) => e.valueFrom?.secretKeyRef)
        .map((e) => [e.name, e.valueFrom.secretKeyRef]);
    expect(fromSecrets("inline-vmcp")).toEqual([
      ["TOOLHIVE_HEADER_INJECTION_VALUE_WEATHER_KEY", ref("api-key")],
      ["TOOLHIVE_TOKEN_EXCHANGE_CLIENT_SECRET_IDP_EXCHANGE", ref("client-secret")],
    ]);
    expect(fromSecrets("dynamic-vmcp")).toEqual([
      ["TOOLHIVE_HEADER_INJECTION_VALUE_WEATHER_KEY", ref("api-key")],
    ]);
    // The referenced kinds' secrets: the OIDC client's, the telemetry header's, the entry's forwarded header.
    expect(new Set(fromSecrets("referencing-vmcp").map(([, from]) => from.key))).toEqual(
      new Set(["oidc-client-secret", "otel-token", "entry-key"]),
    );
    for (const name of ["inline-vmcp", "dynamic-vmcp", "referencing-vmcp"])
      for (const e of env(name))
        expect(Object.keys(e).sort(), e.name).toEqual(
          e.valueFrom ? ["name", "valueFrom"] : ["name", "value"],
        );
  });
});
