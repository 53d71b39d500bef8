// Deploying serverless.yml to the local AWS endpoint with osls + serverless-localstack, and reading back
// what the stack made: the SSM secrets the functions read, and the stack's outputs.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { GetParameterCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { type AwsTarget, clientConfig, toolEnvironment } from "./aws-target.ts";

export const LOCAL_STAGE = "local";
export const stackName = (stage: string) => `vmcp-lambda-${stage}`;

export interface StackOutputs {
  readonly AdmissionFunctionUrl: string;
  readonly HintBusName: string;
  readonly ReconcileQueueUrl: string;
  readonly ReconcileDeadLetterQueueUrl: string;
  readonly HintDeadLetterQueueUrl: string;
}

/** The SecureStrings the functions read: created before the deploy, since CloudFormation cannot make them. */
export async function putSecrets(target: AwsTarget, stage: string, secrets: Record<string, string>) {
  const ssm = new SSMClient(clientConfig(target));
  for (const [name, value] of Object.entries(secrets))
    await ssm.send(
      new PutParameterCommand({
        Name: `/vmcp-lambda/${stage}/${name}`,
        Value: value,
        Type: "SecureString",
        Overwrite: true,
      }),
    );
}

export async function deployStack(options: {
  readonly repoRoot: string;
  readonly target: AwsTarget;
  readonly stage: string;
  readonly params: Record<string, string>;
  readonly log: (line: string) => void;
}): Promise<void> {
  const osls = join(options.repoRoot, "node_modules", "osls", "bin", "serverless.js");
  const args = [
    osls,
    "deploy",
    "--stage",
    options.stage,
    ...Object.entries(options.params).map(([key, value]) => `--param=${key}=${value}`),
  ];
  const output: string[] = [];
  const status = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: options.repoRoot,
      env: toolEnvironment(options.target),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) {
        if (!line.trim()) continue;
        output.push(line);
        if (/bundled|Deploying|Service deployed|✔|✖|Error/.test(line)) options.log(`osls: ${line.trim()}`);
      }
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.once("error", reject);
    child.once("close", (code) => resolve(code ?? -1));
  });
  if (status !== 0) throw new Error(`osls deploy failed (exit ${status}):\n${output.slice(-30).join("\n")}`);
}

/** AWS SDK client settings: the emulator's (clientConfig) or, for a real account, {} or { region }. */
export type AwsClientSettings = NonNullable<ConstructorParameters<typeof CloudFormationClient>[0]>;

export async function stackOutputs(settings: AwsClientSettings, stage: string): Promise<StackOutputs> {
  const cloudFormation = new CloudFormationClient(settings);
  const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName(stage) }));
  const outputs = Object.fromEntries(
    (Stacks?.[0]?.Outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]),
  );
  for (const key of [
    "AdmissionFunctionUrl",
    "HintBusName",
    "ReconcileQueueUrl",
    "ReconcileDeadLetterQueueUrl",
  ])
    if (!outputs[key]) throw new Error(`the stack ${stackName(stage)} has no output ${key}`);
  return outputs as unknown as StackOutputs;
}

/** The webhooks' path token, as the admission function reads it. */
export async function webhookToken(settings: AwsClientSettings, stage: string): Promise<string> {
  const name = `/vmcp-lambda/${stage}/webhook-token`;
  const { Parameter } = await new SSMClient(settings).send(
    new GetParameterCommand({ Name: name, WithDecryption: true }),
  );
  if (!Parameter?.Value)
    throw new Error(`the SSM parameter ${name} is empty; create it (README, Deploy to AWS)`);
  return Parameter.Value;
}
