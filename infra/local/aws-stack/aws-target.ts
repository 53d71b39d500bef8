// Talking to the local AWS endpoint: SDK client settings for this process, and the environment for child
// processes (osls). Dummy credentials; the emulator's CA trusted explicitly, never TLS checks switched off.
import { NodeHttpHandler } from "@smithy/node-http-handler";

export const LOCAL_REGION = "us-east-1";
export const LOCAL_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" } as const;

export interface AwsTarget {
  /** https://127.0.0.1:<port>, or the user's own LocalStack-compatible endpoint. */
  readonly endpoint: string;
  /** A PEM file with the CA the endpoint's certificate chains to; absent for a public certificate or plain HTTP. */
  readonly caFile?: string;
  readonly caPem?: string;
}

/**
 * Settings for any AWS SDK v3 client: `new SQSClient(clientConfig(target))`. The agent is the SDK's own
 * (kept-alive sockets, at most 50 to a host, as every client on AWS has) with the emulator's CA added: an
 * Agent of our own would drop that limit, and a burst of requests would open as many connections at once,
 * more than a loaded machine's emulator accepts (ECONNRESET on connect). The SDK's standard retry mode
 * retries what still fails that way.
 */
export function clientConfig(target: AwsTarget) {
  return {
    endpoint: target.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    requestHandler: new NodeHttpHandler({ httpsAgent: { ca: target.caPem } }),
  };
}

/** The environment of osls and other AWS tools run against the target. */
export function toolEnvironment(target: AwsTarget): NodeJS.ProcessEnv {
  const url = new URL(target.endpoint);
  return {
    ...process.env,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_PROFILE: "",
    SLS_TELEMETRY_DISABLED: "1",
    SLS_NOTIFICATIONS_MODE: "off",
    CI: "true",
    VMCP_EMULATOR_HOST: `${url.protocol}//${url.hostname}`,
    VMCP_EMULATOR_PORT: url.port || (url.protocol === "https:" ? "443" : "80"),
    ...(target.caFile ? { NODE_EXTRA_CA_CERTS: target.caFile, AWS_CA_BUNDLE: target.caFile } : {}),
  };
}
