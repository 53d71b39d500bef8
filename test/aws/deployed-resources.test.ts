// What the emulator holds after `osls deploy --stage local` is what serverless.yml compiled to: functions,
// queues, the bus rule and its target, the schedule, the event source mapping and the Function URL.
import { EventBridgeClient, ListRulesCommand, ListTargetsByRuleCommand } from "@aws-sdk/client-eventbridge";
import {
  GetFunctionConfigurationCommand,
  GetFunctionUrlConfigCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
} from "@aws-sdk/client-lambda";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { describe, expect, inject, it } from "vitest";
import { aws, functionName } from "./stack.ts";

type Resource = { Type: string; Properties: Record<string, any> };
// As compiled by the deploy; the template test packages again meanwhile, so it is not read from .serverless.
const template = inject("deployedTemplate") as { Resources: Record<string, Resource> };
const resource = (id: string) => {
  const found = template.Resources[id];
  if (!found) throw new Error(`the compiled template has no ${id}`);
  return found.Properties;
};
const outputs = () => inject("stackOutputs");

describe("the deployed stack matches serverless.yml", () => {
  it.each([
    ["admission", "AdmissionLambdaFunction"],
    ["router", "RouterLambdaFunction"],
    ["reconcile", "ReconcileLambdaFunction"],
    ["resync", "ResyncLambdaFunction"],
  ])("function %s: runtime, handler, timeout, memory and environment", async (fn, logicalId) => {
    const declared = resource(logicalId);
    const deployed = await new LambdaClient(aws()).send(
      new GetFunctionConfigurationCommand({ FunctionName: functionName(fn) }),
    );
    expect(deployed.Runtime).toBe("nodejs22.x");
    expect(declared.Runtime).toBe("nodejs22.x");
    expect(deployed.Handler).toBe(declared.Handler);
    expect(deployed.Handler).toBe(`dist/lambda/${fn}/index.handler`);
    expect(deployed.Timeout).toBe(declared.Timeout);
    expect(deployed.MemorySize).toBe(declared.MemorySize);
    expect(declared.Architectures).toEqual(["arm64"]);
    const variables = deployed.Environment?.Variables ?? {};
    expect(Object.keys(variables).sort()).toEqual(Object.keys(declared.Environment.Variables).sort());
    expect(variables.KUBE_AUTH).toBe("token");
    expect(variables.KUBE_TOKEN_PARAMETER).toBe("/vmcp-lambda/local/kube-token");
    // Secrets are referenced by parameter name only, never inlined.
    for (const value of Object.values(variables)) expect(value).not.toMatch(/^[0-9a-f]{48,}$/);
  });

  it("the reconcile queue is FIFO with explicit deduplication and a FIFO dead-letter queue", async () => {
    const sqs = new SQSClient(aws());
    const { Attributes: queue = {} } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: outputs().ReconcileQueueUrl, AttributeNames: ["All"] }),
    );
    const declared = resource("ReconcileQueue");
    expect(queue.FifoQueue).toBe("true");
    expect(queue.ContentBasedDeduplication).toBe("false");
    expect(Number(queue.VisibilityTimeout)).toBe(declared.VisibilityTimeout);
    const redrive = JSON.parse(queue.RedrivePolicy ?? "{}");
    expect(Number(redrive.maxReceiveCount)).toBe(Number(declared.RedrivePolicy.maxReceiveCount));
    expect(Number(redrive.maxReceiveCount)).toBe(3);
    const { Attributes: dlq = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: outputs().ReconcileDeadLetterQueueUrl,
        AttributeNames: ["QueueArn", "FifoQueue"],
      }),
    );
    expect(dlq.FifoQueue).toBe("true");
    expect(redrive.deadLetterTargetArn).toBe(dlq.QueueArn);
  });

  it("the hint rule on the bus matches change hints and targets the router, with retries and a DLQ", async () => {
    const events = new EventBridgeClient(aws());
    const { Rules = [] } = await events.send(new ListRulesCommand({ EventBusName: outputs().HintBusName }));
    expect(Rules).toHaveLength(1);
    const [rule] = Rules;
    const declared = Object.values(template.Resources).find(
      (r) => r.Type === "AWS::Events::Rule" && r.Properties.EventPattern,
    )?.Properties;
    expect(JSON.parse(rule?.EventPattern ?? "{}")).toEqual(declared?.EventPattern);
    expect(JSON.parse(rule?.EventPattern ?? "{}")).toEqual({
      source: ["vmcp-lambda.admission"],
      "detail-type": ["ChangeHint"],
    });
    const { Targets = [] } = await events.send(
      new ListTargetsByRuleCommand({ Rule: rule?.Name, EventBusName: outputs().HintBusName }),
    );
    expect(Targets).toHaveLength(1);
    expect(Targets[0]?.Arn).toMatch(new RegExp(`:function:${functionName("router")}$`));
    expect(Targets[0]?.RetryPolicy?.MaximumRetryAttempts).toBe(4);
    expect(Targets[0]?.DeadLetterConfig?.Arn).toMatch(/^arn:aws:sqs:/);
  });

  it("the resync runs on the schedule from the stage's parameters", async () => {
    const events = new EventBridgeClient(aws());
    const { Rules = [] } = await events.send(new ListRulesCommand({}));
    const schedule = Rules.find((r) => r.ScheduleExpression);
    expect(schedule?.ScheduleExpression).toBe("rate(1 minute)");
    expect(schedule?.State).toBe("ENABLED");
    const { Targets = [] } = await events.send(new ListTargetsByRuleCommand({ Rule: schedule?.Name }));
    expect(Targets[0]?.Arn).toMatch(new RegExp(`:function:${functionName("resync")}$`));
  });

  it("the reconcile function consumes the queue in batches with partial failures", async () => {
    const { EventSourceMappings = [] } = await new LambdaClient(aws()).send(
      new ListEventSourceMappingsCommand({ FunctionName: functionName("reconcile") }),
    );
    expect(EventSourceMappings).toHaveLength(1);
    const [mapping] = EventSourceMappings;
    expect(mapping?.EventSourceArn).toMatch(/:vmcp-lambda-local-reconcile\.fifo$/);
    expect(mapping?.BatchSize).toBe(10);
    expect(mapping?.FunctionResponseTypes).toEqual(["ReportBatchItemFailures"]);
  });

  it("the admission function has a Function URL without IAM auth (the path token guards it)", async () => {
    const url = await new LambdaClient(aws()).send(
      new GetFunctionUrlConfigCommand({ FunctionName: functionName("admission") }),
    );
    expect(url.AuthType).toBe("NONE");
    expect(url.FunctionUrl).toBe(outputs().AdmissionFunctionUrl);
    expect(resource("AdmissionLambdaFunctionUrl").AuthType).toBe("NONE");
  });
});
