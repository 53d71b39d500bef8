// The four functions' settings from their environment: required variables are required, numbers and flags
// are checked (never quietly defaulted), every problem is named in one message, each default holds, and
// serverless.yml sets what each function reads.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DEFAULT_VMCP_IMAGE } from "../../functions/core/runtime/versions.ts";
import {
  ClusterAccess,
  FUNCTION_SETTINGS,
  type FunctionName,
  functionSettings,
  readSettings,
  SettingsError,
  StaleHintReceives,
  WebhookPolicy,
} from "../../functions/lambda/settings.ts";

const CA_DATA = Buffer.from("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n").toString(
  "base64",
);
const SERVER = "https://4F2A9C1E.gr7.eu-west-1.eks.amazonaws.com";
const EKS = { KUBE_SERVER: SERVER, KUBE_CA_DATA: CA_DATA, KUBE_AUTH: "eks", KUBE_CLUSTER_NAME: "tools-prod" };
const QUEUE = "https://sqs.eu-west-1.amazonaws.com/123456789012/vmcp-lambda-prod-reconcile.fifo";

/** What a deployment sets for every function (serverless.yml), for a real cluster. */
const DEPLOYED = {
  ...EKS,
  AWS_REGION: "eu-west-1",
  RECONCILE_QUEUE_URL: QUEUE,
  STALE_HINT_RECEIVES: "3",
  HINT_BUS_NAME: "vmcp-lambda-prod-hints",
  WEBHOOK_TOKEN_PARAMETER: "/vmcp-lambda/prod/webhook-token",
  FUNCTIONS_USERNAMES: "vmcp-lambda-functions",
};

/** The problems a SettingsError names, or [] when the settings are read. */
function problems(run: () => unknown): readonly string[] {
  try {
    run();
    return [];
  } catch (error) {
    if (error instanceof SettingsError) return error.problems;
    throw error;
  }
}

const cluster = (env: NodeJS.ProcessEnv) => readSettings({ cluster: ClusterAccess }, env).cluster;
const clusterProblems = (env: NodeJS.ProcessEnv) => problems(() => cluster(env));

describe("cluster access", () => {
  it("reads EKS settings, ignoring the rest of the environment", () => {
    expect(cluster({ ...EKS, AWS_REGION: "eu-west-1", PATH: "/usr/bin" })).toEqual({
      server: SERVER,
      caData: CA_DATA,
      auth: { method: "eks", clusterName: "tools-prod", region: "eu-west-1" },
    });
  });

  it("reads token settings that name the SSM parameter", () => {
    const settings = cluster({ ...EKS, KUBE_AUTH: "token", KUBE_TOKEN_PARAMETER: "/vmcp-lambda/kube-token" });
    expect(settings.auth).toEqual({ method: "token", parameter: "/vmcp-lambda/kube-token" });
  });

  it("defaults KUBE_AUTH to eks and the region to us-east-1", () => {
    const { KUBE_AUTH: _auth, ...defaulted } = EKS;
    expect(cluster(defaulted).auth).toEqual({
      method: "eks",
      clusterName: "tools-prod",
      region: "us-east-1",
    });
  });

  it("refuses EKS without a cluster name, and token auth without its parameter, naming the variable", () => {
    const { KUBE_CLUSTER_NAME: _name, ...withoutName } = EKS;
    expect(clusterProblems(withoutName)).toEqual([expect.stringMatching(/^KUBE_CLUSTER_NAME: not set; /)]);
    // serverless.yml writes "" for a parameter left at its default: that is not set.
    expect(clusterProblems({ ...EKS, KUBE_CLUSTER_NAME: "" })).toEqual([
      expect.stringMatching(/^KUBE_CLUSTER_NAME: /),
    ]);
    expect(clusterProblems({ ...EKS, KUBE_AUTH: "token" })).toEqual([
      expect.stringMatching(/^KUBE_TOKEN_PARAMETER: not set; /),
    ]);
  });

  it("refuses a server that is not an https:// URL, an empty CA and an unknown auth method", () => {
    expect(
      clusterProblems({ ...EKS, KUBE_SERVER: "http://4F2A9C1E.gr7.eu-west-1.eks.amazonaws.com" }),
    ).toEqual([expect.stringMatching(/^KUBE_SERVER: "http:.*" is not the API server's https:\/\/ URL$/)]);
    expect(clusterProblems({ ...EKS, KUBE_SERVER: "not a url" })).toEqual([
      expect.stringMatching(/^KUBE_SERVER: /),
    ]);
    expect(clusterProblems({ ...EKS, KUBE_CA_DATA: "" })).toEqual([
      expect.stringMatching(/^KUBE_CA_DATA: not set; /),
    ]);
    expect(clusterProblems({ ...EKS, KUBE_AUTH: "kubeconfig" })).toEqual([
      expect.stringMatching(/^KUBE_AUTH: "kubeconfig" is not eks .* or token /),
    ]);
  });
});

describe("each function's settings", () => {
  it("reads a deployed environment into what each function uses", () => {
    expect(functionSettings("reconcile", DEPLOYED)).toEqual({
      cluster: {
        server: SERVER,
        caData: CA_DATA,
        auth: { method: "eks", clusterName: "tools-prod", region: "eu-west-1" },
      },
      vmcp: { image: DEFAULT_VMCP_IMAGE, runtime: expect.objectContaining({ version: "v0.47.0" }) },
      queueUrl: QUEUE,
      staleHintReceives: 3,
      controller: "vmcp-lambda",
    });
    expect(functionSettings("admission", DEPLOYED)).toMatchObject({
      webhook: { failOpen: false, ownUsernames: ["vmcp-lambda-functions"], runtimeVersion: "v0.47.0" },
      webhookToken: { parameter: "/vmcp-lambda/prod/webhook-token" },
      hintBus: "vmcp-lambda-prod-hints",
    });
    expect(functionSettings("router", DEPLOYED)).toMatchObject({ queueUrl: QUEUE });
    expect(functionSettings("resync", DEPLOYED)).toMatchObject({
      queueUrl: QUEUE,
      vmcp: { image: DEFAULT_VMCP_IMAGE },
    });
  });

  it("requires HINT_BUS_NAME of the admission function: no quiet fallback to logging hints", () => {
    const { HINT_BUS_NAME: _bus, ...withoutBus } = DEPLOYED;
    expect(problems(() => functionSettings("admission", withoutBus))).toEqual([
      expect.stringMatching(/^HINT_BUS_NAME: not set; set it to the EventBridge bus/),
    ]);
  });

  it("requires the reconcile queue of the reconcile side, and a token or its parameter of admission", () => {
    const { RECONCILE_QUEUE_URL: _queue, WEBHOOK_TOKEN_PARAMETER: _token, ...without } = DEPLOYED;
    for (const name of ["router", "reconcile", "resync"] as const)
      expect(
        problems(() => functionSettings(name, without)),
        name,
      ).toEqual([expect.stringMatching(/^RECONCILE_QUEUE_URL: not set; /)]);
    expect(problems(() => functionSettings("admission", without))).toEqual([
      expect.stringMatching(/^WEBHOOK_TOKEN_PARAMETER: not set; .*\(or set WEBHOOK_TOKEN\)$/),
    ]);
    expect(functionSettings("admission", { ...without, WEBHOOK_TOKEN: "t0ken" }).webhookToken).toEqual({
      value: "t0ken",
    });
  });

  it.each(["abc", "1.5", "0", "-2", "3 ", "1e3", "0x10"])(
    "takes STALE_HINT_RECEIVES=%j for an error, not for the default",
    (value) => {
      expect(
        problems(() => functionSettings("reconcile", { ...DEPLOYED, STALE_HINT_RECEIVES: value })),
      ).toEqual([
        `STALE_HINT_RECEIVES: ${JSON.stringify(value)} is not a number of receives, 1 or more, below the queue's maxReceiveCount`,
      ]);
    },
  );

  it("reads who controls an unlabelled VirtualMCPServer in all four functions, and names a wrong value", () => {
    for (const name of ["admission", "router", "reconcile", "resync"] as const) {
      const beside = { ...DEPLOYED, VMCP_DEFAULT_CONTROLLER: "toolhive-operator" };
      expect(functionSettings(name, beside)).toMatchObject({ controller: "toolhive-operator" });
      expect(
        problems(() => functionSettings(name, { ...DEPLOYED, VMCP_DEFAULT_CONTROLLER: "operator" })),
      ).toEqual(['VMCP_DEFAULT_CONTROLLER: "operator" is not vmcp-lambda or toolhive-operator']);
    }
  });

  it("checks the admission function's size limit and flag the same way", () => {
    expect(
      problems(() =>
        functionSettings("admission", {
          ...DEPLOYED,
          ADMISSION_MAX_BODY_BYTES: "6MB",
          ADMISSION_FAIL_OPEN: "yes",
        }),
      ),
    ).toEqual([
      'ADMISSION_MAX_BODY_BYTES: "6MB" is not a size in bytes, 1 or more',
      'ADMISSION_FAIL_OPEN: "yes" is not true or false',
    ]);
    expect(
      functionSettings("admission", {
        ...DEPLOYED,
        ADMISSION_MAX_BODY_BYTES: "1024",
        ADMISSION_FAIL_OPEN: "true",
      }).webhook,
    ).toMatchObject({ maxBodyBytes: 1024, failOpen: true });
  });

  it("names every bad or missing variable in one message, with the function and what each must hold", () => {
    const error = (() => {
      try {
        functionSettings("reconcile", {
          KUBE_SERVER: "http://cluster",
          KUBE_AUTH: "token",
          VMCP_IMAGE: "mirror.example/vmcp:latest",
          STALE_HINT_RECEIVES: "many",
        });
      } catch (caught) {
        return caught as SettingsError;
      }
      throw new Error("the settings were read");
    })();
    expect(error.problems.map((p) => p.split(/[: ]/)[0])).toEqual([
      "KUBE_SERVER",
      "KUBE_CA_DATA",
      "KUBE_TOKEN_PARAMETER",
      "VMCP_IMAGE",
      "RECONCILE_QUEUE_URL",
      "STALE_HINT_RECEIVES",
    ]);
    expect(error.message).toMatch(
      /^the reconcile function is misconfigured; fix these environment variables:\n {2}KUBE_SERVER: /,
    );
    for (const problem of error.problems) expect(error.message).toContain(problem);
    expect(error.message).toContain(
      'VMCP_IMAGE "mirror.example/vmcp:latest" has no version tag; set VMCP_RUNTIME_VERSION',
    );
  });

  it("takes the runtime version from VMCP_RUNTIME_VERSION when set, and refuses one it does not support", () => {
    const custom = {
      ...DEPLOYED,
      VMCP_IMAGE: "mirror.example/vmcp@sha256:0123",
      VMCP_RUNTIME_VERSION: "0.44.0",
    };
    expect(functionSettings("resync", custom).vmcp.runtime.version).toBe("v0.44.0");
    expect(functionSettings("admission", custom).webhook.runtimeVersion).toBe("v0.44.0");
    expect(problems(() => functionSettings("resync", { ...custom, VMCP_RUNTIME_VERSION: "0.50" }))).toEqual([
      expect.stringMatching(/^VMCP_RUNTIME_VERSION is "0.50", which is not a supported vMCP runtime version/),
    ]);
  });

  it("defaults what it may: the image, 3 stale receives, a 6 MiB body, fail closed, no own usernames", () => {
    expect(readSettings({ webhook: WebhookPolicy, stale: StaleHintReceives }, {})).toEqual({
      webhook: {
        maxBodyBytes: 6 * 1024 * 1024,
        failOpen: false,
        ownUsernames: [],
        runtimeVersion: "v0.47.0",
      },
      stale: 3,
    });
    expect(
      readSettings({ webhook: WebhookPolicy }, { FUNCTIONS_USERNAMES: " a, b,,c " }).webhook.ownUsernames,
    ).toEqual(["a", "b", "c"]);
  });
});

describe("serverless.yml", () => {
  type Environment = Record<string, unknown>;
  const stack = parse(readFileSync(new URL("../../serverless.yml", import.meta.url), "utf8"), {
    logLevel: "silent",
  }) as {
    params: { default: Record<string, unknown> };
    provider: { environment: Environment };
    functions: Record<FunctionName, { environment?: Environment }>;
  };
  const setFor = (name: FunctionName) =>
    new Set(Object.keys({ ...stack.provider.environment, ...stack.functions[name].environment }));
  const variables = (name: FunctionName) =>
    Object.values(FUNCTION_SETTINGS[name]).flatMap((f) => f.variables);
  // Lambda sets AWS_REGION; the others have defaults or an alternative (WEBHOOK_TOKEN, for the command line).
  const LEFT_TO_DEFAULTS = ["AWS_REGION", "WEBHOOK_TOKEN", "ADMISSION_MAX_BODY_BYTES", "ADMISSION_FAIL_OPEN"];

  it.each(Object.keys(FUNCTION_SETTINGS) as FunctionName[])(
    "sets every variable the %s function reads",
    (name) => {
      const missing = variables(name).filter((v) => !setFor(name).has(v) && !LEFT_TO_DEFAULTS.includes(v));
      expect(missing).toEqual([]);
    },
  );

  it("sets no variable that no function reads, besides Node's and Powertools' own", () => {
    const read = new Set((Object.keys(FUNCTION_SETTINGS) as FunctionName[]).flatMap(variables));
    const set = (Object.keys(FUNCTION_SETTINGS) as FunctionName[]).flatMap((name) => [...setFor(name)]);
    expect(set.filter((v) => !read.has(v) && v !== "NODE_OPTIONS" && !v.startsWith("POWERTOOLS_"))).toEqual(
      [],
    );
  });

  it("deploys with the code's defaults: the default image and the stale-hint receives", () => {
    expect(stack.params.default.vmcpImage).toBe(DEFAULT_VMCP_IMAGE);
    expect(stack.params.default.staleHintReceives).toBe(readSettings({ stale: StaleHintReceives }, {}).stale);
  });
});
