// The four functions' settings: every environment variable each one reads, declared here once with its
// default, and checked once per container (the host reads them before building the handler). A function that
// is misconfigured fails with one message naming every variable that is missing or wrong and what it must
// hold: a required variable has no fallback, and "abc" for a number is an error, not the default.
// zod/mini, as functions/core/admission/review.ts: the admission function reads these on its mutating path,
// where classic zod's load time is felt on every cold start (BENCHMARKS.md).
import * as z from "zod/mini";
import { CONTROLLERS, type Controller, DEFAULT_CONTROLLER } from "../core/control/controller.ts";
import { shown } from "../core/kinds/shown.ts";
import { DEFAULT_VMCP_IMAGE, runtimeProfile } from "../core/runtime/versions.ts";

/** What a variable must hold, said when it is missing or wrong (the path names the variable). */
const mustBe = (what: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? `not set; set it to ${what}` : `${shown(String(issue.input))} is not ${what}`;

const text = (what: string) => z.string({ error: mustBe(what) });
const optionalText = z.optional(z.string());

/** A whole number, 1 or more. */
const count = (what: string, fallback: number) =>
  z._default(
    z.pipe(z.string().check(z.regex(/^[1-9][0-9]{0,9}$/, { error: mustBe(what) })), z.transform(Number)),
    fallback,
  );

const flag = (fallback: boolean) =>
  z._default(
    z.pipe(
      z.enum(["true", "false"], { error: mustBe("true or false") }),
      z.transform((v) => v === "true"),
    ),
    fallback,
  );

/** Comma-separated names. */
const names = z._default(
  z.pipe(
    z.string(),
    z.transform((v) => v.split(",").flatMap((name) => name.trim() || [])),
  ),
  [],
);

/** A variable that another one's value makes required. Runs beside the fields' own checks, so one message
 * names every problem. */
function requiredWhen<T extends Record<string, unknown>>(
  variable: keyof T & string,
  when: (v: T) => boolean,
  what: string,
) {
  return z.refine<T>((v) => !when(v) || Boolean(v[variable]), {
    path: [variable],
    error: `not set; set it to ${what}`,
    when: () => true,
  });
}

/** A group of variables read together, and what the code gets from them. */
export interface Fragment<T> {
  readonly variables: readonly string[];
  readonly schema: z.ZodMiniType<T>;
}
/** What the code gets from a fragment. */
export type Read<F> = F extends Fragment<infer T> ? T : never;

function fragment<S extends z.core.$ZodLooseShape, T>(
  shape: S,
  read: (variables: z.output<z.ZodMiniObject<S>>) => T,
  ...checks: z.core.$ZodCheck<z.output<z.ZodMiniObject<S>>>[]
): Fragment<T> {
  const object = z.object(shape).check(...checks) as unknown as z.ZodMiniType<z.output<z.ZodMiniObject<S>>>;
  return { variables: Object.keys(shape), schema: z.pipe(object, z.transform(read)) };
}

// The runtime the image runs: VMCP_RUNTIME_VERSION when set, else the image's tag (README "Runtime versions").
const vmcpVariables = {
  VMCP_IMAGE: z._default(z.string(), DEFAULT_VMCP_IMAGE),
  VMCP_RUNTIME_VERSION: optionalText,
};
type VmcpVariables = { VMCP_IMAGE: string; VMCP_RUNTIME_VERSION?: string | undefined };
const profileOf = (v: VmcpVariables) => runtimeProfile(v.VMCP_IMAGE, v.VMCP_RUNTIME_VERSION);
const supportedRuntime = z.check<VmcpVariables>(
  (payload) => {
    try {
      profileOf(payload.value);
    } catch (error) {
      // runtimeProfile's message names the variable and says what to set.
      const variable = payload.value.VMCP_RUNTIME_VERSION ? "VMCP_RUNTIME_VERSION" : "VMCP_IMAGE";
      payload.issues.push({
        code: "custom",
        input: payload.value,
        path: [variable],
        message: (error as Error).message,
      });
    }
  },
  { when: () => true },
);

/** How the function reaches the API server (cluster-access.ts). */
export const ClusterAccess = fragment(
  {
    KUBE_SERVER: z.url({ protocol: /^https$/, error: mustBe("the API server's https:// URL") }),
    KUBE_CA_DATA: text("the base64 PEM of the cluster's CA"),
    KUBE_AUTH: z._default(
      z.enum(["eks", "token"], { error: mustBe("eks (IAM tokens) or token (a static token in SSM)") }),
      "eks",
    ),
    KUBE_CLUSTER_NAME: optionalText,
    KUBE_TOKEN_PARAMETER: optionalText,
    AWS_REGION: z._default(z.string(), "us-east-1"),
  },
  (v) => ({
    server: v.KUBE_SERVER,
    caData: v.KUBE_CA_DATA,
    auth:
      v.KUBE_AUTH === "eks"
        ? { method: "eks" as const, clusterName: v.KUBE_CLUSTER_NAME ?? "", region: v.AWS_REGION }
        : { method: "token" as const, parameter: v.KUBE_TOKEN_PARAMETER ?? "" },
  }),
  requiredWhen("KUBE_CLUSTER_NAME", (v) => v.KUBE_AUTH === "eks", "the EKS cluster's name (KUBE_AUTH=eks)"),
  requiredWhen(
    "KUBE_TOKEN_PARAMETER",
    (v) => v.KUBE_AUTH === "token",
    "the SSM SecureString holding the token (KUBE_AUTH=token)",
  ),
);
export type ClusterAccess = Read<typeof ClusterAccess>;

/** The vMCP image the reconciles deploy, and the runtime version it runs. */
export const VmcpImage = fragment(
  vmcpVariables,
  (v) => ({ image: v.VMCP_IMAGE, runtime: profileOf(v) }),
  supportedRuntime,
);

/**
 * Who controls a VirtualMCPServer without the controller label (core/control/controller.ts): vmcp-lambda,
 * or ToolHive's operator where the functions run beside it and take objects one by one.
 */
export const DefaultController = fragment(
  {
    VMCP_DEFAULT_CONTROLLER: z._default(
      z.enum(CONTROLLERS, { error: mustBe(CONTROLLERS.join(" or ")) }),
      DEFAULT_CONTROLLER,
    ),
  },
  (v): Controller => v.VMCP_DEFAULT_CONTROLLER,
);

/** The admission function's door and decisions (admission/http-gate.ts, admission/admit.ts). */
export const WebhookPolicy = fragment(
  {
    ADMISSION_MAX_BODY_BYTES: count("a size in bytes, 1 or more", 6 * 1024 * 1024),
    ADMISSION_FAIL_OPEN: flag(false),
    /** The functions' own identities: their writes are not hinted back to them. */
    FUNCTIONS_USERNAMES: names,
    ...vmcpVariables,
  },
  (v) => ({
    maxBodyBytes: v.ADMISSION_MAX_BODY_BYTES,
    failOpen: v.ADMISSION_FAIL_OPEN,
    ownUsernames: v.FUNCTIONS_USERNAMES,
    runtimeVersion: profileOf(v).version,
  }),
  supportedRuntime,
);

/** The webhook's path token: its value (the command line, tests) or the SSM SecureString that holds it. */
export const WebhookToken = fragment(
  { WEBHOOK_TOKEN: optionalText, WEBHOOK_TOKEN_PARAMETER: optionalText },
  (v): { value: string } | { parameter: string } =>
    v.WEBHOOK_TOKEN ? { value: v.WEBHOOK_TOKEN } : { parameter: v.WEBHOOK_TOKEN_PARAMETER ?? "" },
  requiredWhen(
    "WEBHOOK_TOKEN_PARAMETER",
    (v) => !v.WEBHOOK_TOKEN,
    "the SSM SecureString holding the webhook's path token (or set WEBHOOK_TOKEN)",
  ),
);

/** Where admission publishes change hints. Required: without it, writes would reconcile only at the resync. */
export const HintBus = fragment(
  { HINT_BUS_NAME: text("the EventBridge bus the hint router listens on") },
  (v) => v.HINT_BUS_NAME,
);

export const ReconcileQueue = fragment(
  { RECONCILE_QUEUE_URL: z.url({ error: mustBe("the URL of the reconcile FIFO queue") }) },
  (v) => v.RECONCILE_QUEUE_URL,
);

/** Receives after which a hinted write that never became visible is taken never to have happened. */
export const StaleHintReceives = fragment(
  { STALE_HINT_RECEIVES: count("a number of receives, 1 or more, below the queue's maxReceiveCount", 3) },
  (v) => v.STALE_HINT_RECEIVES,
);

/** Each function's settings. serverless.yml sets their variables (test/unit/lambda-settings.test.ts checks). */
export const FUNCTION_SETTINGS = {
  admission: {
    cluster: ClusterAccess,
    webhook: WebhookPolicy,
    webhookToken: WebhookToken,
    hintBus: HintBus,
    controller: DefaultController,
  },
  router: { cluster: ClusterAccess, queueUrl: ReconcileQueue, controller: DefaultController },
  reconcile: {
    cluster: ClusterAccess,
    vmcp: VmcpImage,
    controller: DefaultController,
    queueUrl: ReconcileQueue,
    staleHintReceives: StaleHintReceives,
  },
  resync: {
    cluster: ClusterAccess,
    vmcp: VmcpImage,
    queueUrl: ReconcileQueue,
    controller: DefaultController,
  },
} as const;

export type FunctionName = keyof typeof FUNCTION_SETTINGS;
type Fragments = Readonly<Record<string, Fragment<unknown>>>;
export type Settings<F extends Fragments> = {
  -readonly [K in keyof F]: F[K] extends Fragment<infer T> ? T : never;
};
export type FunctionSettings<N extends FunctionName> = Settings<(typeof FUNCTION_SETTINGS)[N]>;

export class SettingsError extends Error {
  /** One line per variable: `NAME: what is wrong and what to set`. */
  readonly problems: readonly string[];
  constructor(who: string, problems: readonly string[]) {
    super(`${who} is misconfigured; fix these environment variables:\n  ${problems.join("\n  ")}`);
    this.name = "SettingsError";
    this.problems = problems;
  }
}

/**
 * The settings the fragments read from `env`, or a SettingsError naming every problem in all of them. An empty
 * variable counts as unset (serverless.yml writes "" for a parameter left at its default).
 */
export function readSettings<F extends Fragments>(
  fragments: F,
  env: NodeJS.ProcessEnv,
  who = "this process",
): Settings<F> {
  const set = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ""),
  );
  const problems: string[] = [];
  const settings: Record<string, unknown> = {};
  for (const [key, { schema }] of Object.entries(fragments)) {
    const parsed = schema.safeParse(set);
    if (parsed.success) settings[key] = parsed.data;
    else
      for (const issue of parsed.error.issues) {
        const variable = issue.path.map(String).join(".");
        problems.push(issue.message.startsWith(variable) ? issue.message : `${variable}: ${issue.message}`);
      }
  }
  if (problems.length > 0) throw new SettingsError(who, [...new Set(problems)]);
  return settings as Settings<F>;
}

export function functionSettings<N extends FunctionName>(
  name: N,
  env: NodeJS.ProcessEnv,
): FunctionSettings<N> {
  return readSettings(FUNCTION_SETTINGS[name], env, `the ${name} function`) as FunctionSettings<N>;
}
