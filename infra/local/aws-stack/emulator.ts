// The local AWS emulator: MiniStack (a LocalStack-compatible, Docker-free emulator from PyPI) in a
// project-local virtualenv, served over HTTPS on a free loopback port. It runs Node Lambda handlers as host
// `node` subprocesses taken from its PATH, so it is started with this process's Node (22) first on PATH.
import { execFile } from "node:child_process";
import { access, mkdir, readFile, writeFile } from "node:fs/promises";
import { request } from "node:https";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { freePort, LOOPBACK } from "../control-plane/network.ts";
import { isAlive, logTail, startDetached, stopGroup } from "../control-plane/processes.ts";

export const MINISTACK_VERSION = "1.5.33";
export const CFN_LINT_VERSION = "1.51.0";
const PINS = `ministack==${MINISTACK_VERSION} cfn-lint==${CFN_LINT_VERSION}`;

/** What the project deploys; MiniStack serves only these (names as its SERVICES filter knows them). */
export const EMULATOR_SERVICES = [
  "lambda",
  "sqs",
  "events",
  "scheduler",
  "sts",
  "iam",
  "ssm",
  "secretsmanager",
  "cloudformation",
  "s3",
  "logs",
  "apigateway",
] as const;

const READY_TIMEOUT_MS = 30_000;
const run = promisify(execFile);

export interface Emulator {
  readonly python: string;
}

export interface EmulatorOptions {
  /** Holds the log, the TLS files and everything MiniStack writes (its TMPDIR and HOME). */
  readonly dir: string;
  readonly python: string;
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
  readonly log?: (line: string) => void;
}

export interface RunningEmulator {
  readonly pid: number;
  readonly port: number;
  /** `https://127.0.0.1:<port>`: every AWS API, plus `/_aws/lambda-url/<urlId>/<path>` for function URLs. */
  readonly endpoint: string;
  readonly logFile: string;
}

/** A LocalStack-compatible endpoint the user runs themselves; when set, nothing is installed or started. */
export function emulatorEndpointOverride(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const endpoint = env.VMCP_AWS_ENDPOINT?.trim();
  return endpoint ? endpoint.replace(/\/+$/, "") : undefined;
}

export function emulatorVirtualenv(repoRoot: string): string {
  return join(repoRoot, ".venv-aws");
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function runLogged(command: string, args: string[]): Promise<void> {
  try {
    // No stdin and no prompts: this also runs in CI.
    await run(command, args, {
      env: { ...process.env, PIP_NO_INPUT: "1", PIP_DISABLE_PIP_VERSION_CHECK: "1" },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    const output = `${stdout ?? ""}${stderr ?? ""}`.trimEnd().split("\n").slice(-20).join("\n");
    throw new Error(`${command} ${args.join(" ")} failed:\n${output || (error as Error).message}`);
  }
}

/** The pinned MiniStack in `<repoRoot>/.venv-aws`, installed on first use or when the pin changes. */
export async function ensureEmulator(
  repoRoot: string,
  log: (line: string) => void = () => {},
): Promise<Emulator> {
  const venv = emulatorVirtualenv(repoRoot);
  const python = join(venv, "bin", "python");
  // Written last, so an interrupted install is redone next time.
  const stamp = join(venv, "ministack.version");
  const installed = (await readFile(stamp, "utf8").catch(() => "")).trim();
  if (installed === PINS && (await exists(python))) return { python };
  // A fresh venv rather than an upgrade in place: the old one may point at a Python that is gone.
  log(`creating ${venv}`);
  await runLogged("python3", ["-m", "venv", "--clear", venv]);
  log(`installing ${PINS} from PyPI`);
  await runLogged(python, [
    "-m",
    "pip",
    "install",
    "--disable-pip-version-check",
    "-q",
    `ministack==${MINISTACK_VERSION}`,
    // The template check of the AWS suite; here so that it is pinned and needs no system Python package.
    `cfn-lint==${CFN_LINT_VERSION}`,
  ]);
  await writeFile(stamp, `${PINS}\n`);
  log(`${PINS} installed`);
  return { python };
}

/**
 * The whole environment of the emulator. MiniStack hands its own environment to every Lambda it runs, so it
 * gets a clean one: no caller credentials, endpoints or kubeconfig leak into handlers, and HOME points away
 * from the user's ~/.aws.
 */
function emulatorEnvironment(dir: string, port: number, certFile: string, keyFile: string) {
  return {
    PATH: [dirname(process.execPath), process.env.PATH ?? "/usr/bin:/bin"].join(":"),
    HOME: dir,
    // Its pid file and the unpacked Lambda code go here, not to the shared /tmp.
    TMPDIR: join(dir, "tmp"),
    LANG: "C.UTF-8",
    PYTHONUNBUFFERED: "1",
    BIND_HOST: LOOPBACK,
    GATEWAY_PORT: String(port),
    // The host it names in the URLs it returns (queue URLs, endpoints): the address it listens on.
    MINISTACK_HOST: LOOPBACK,
    MINISTACK_REGION: "us-east-1",
    SERVICES: EMULATOR_SERVICES.join(","),
    USE_SSL: "1",
    MINISTACK_SSL_CERT: certFile,
    MINISTACK_SSL_KEY: keyFile,
    // Otherwise an IoT MQTT listener binds 0.0.0.0:8883 whatever SERVICES says.
    IOT_MTLS_ENABLED: "0",
    SFTP_ENABLED: "0",
    PERSIST_STATE: "0",
    LAMBDA_EXECUTOR: "local",
  };
}

/**
 * Keeps MiniStack to its one port. Under USE_SSL it also binds port 443 whenever it can (for Cognito
 * issuers), which a root user or a low ip_unprivileged_port_start allows; nothing here needs it.
 */
const LAUNCH = "import ministack.app as app; app._port_is_bindable = lambda host, port: False; app.main()";

/** Status of a GET that verifies the server against `caPem`, or 0 when nothing (trusted) answers. */
function verifiedStatus(url: string, caPem: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { ca: caPem, timeout: 2_000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.once("timeout", () => req.destroy());
    req.once("error", () => resolve(0));
    req.end();
  });
}

export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const log = options.log ?? (() => {});
  await mkdir(join(options.dir, "tmp"), { recursive: true, mode: 0o700 });
  // MiniStack writes its CommonJS Lambda worker (`_worker.js`) and the unpacked code under TMPDIR. Under an
  // ESM package (this repository's "type": "module") Node would load the worker as ESM and it dies at once,
  // so the directory is its own CommonJS package, as a Lambda's code root is on AWS.
  await writeFile(join(options.dir, "tmp", "package.json"), '{ "type": "commonjs" }\n');
  // The chain, not the leaf alone: MiniStack hands this file to its Lambdas as NODE_EXTRA_CA_CERTS (and in
  // AWS_CA_BUNDLE), and a leaf there is no trust anchor.
  const certFile = join(options.dir, "emulator.crt");
  const keyFile = join(options.dir, "emulator.key");
  await writeFile(certFile, `${options.certPem.trimEnd()}\n${options.caPem.trimEnd()}\n`, { mode: 0o600 });
  await writeFile(keyFile, options.keyPem, { mode: 0o600 });
  const logFile = join(options.dir, "ministack.log");
  const port = await freePort();
  const environment = emulatorEnvironment(options.dir, port, certFile, keyFile);
  // `env -i` because startDetached passes this process's environment on; env execs, so the pid stays.
  const pid = await startDetached(
    "env",
    [
      "-i",
      ...Object.entries(environment).map(([key, value]) => `${key}=${value}`),
      options.python,
      "-c",
      LAUNCH,
    ],
    logFile,
  );
  const endpoint = `https://${LOOPBACK}:${port}`;
  log(`starting ministack ${MINISTACK_VERSION} at ${endpoint}`);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while ((await verifiedStatus(`${endpoint}/_ministack/health`, options.caPem)) !== 200) {
    const failure = !isAlive(pid)
      ? "exited while starting"
      : Date.now() > deadline
        ? `was not ready in ${READY_TIMEOUT_MS / 1000}s`
        : undefined;
    if (failure) {
      await stopGroup(pid, 1_000);
      throw new Error(`ministack ${failure}:\n${await logTail(logFile)}`);
    }
    await sleep(100);
  }
  log(`ministack ready at ${endpoint}`);
  return { pid, port, endpoint, logFile };
}
