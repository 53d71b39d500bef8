// What the AWS suite's tests share: AWS clients for the emulator, the functions' logs.
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { inject } from "vitest";
import { clientConfig } from "../../infra/local/aws-stack/aws-target.ts";
import { LOCAL_STAGE } from "../../infra/local/aws-stack/deploy.ts";

let shared: ReturnType<typeof clientConfig> | undefined;
/** One configuration for every client of a test file: they share its sockets, so a poll reuses a connection
 * to the emulator instead of opening another (an agent per client keeps each one open). */
export const aws = () =>
  (shared ??= clientConfig({ endpoint: inject("awsEndpoint"), caPem: inject("awsCaPem") || undefined }));
export const functionName = (fn: string) => `vmcp-lambda-${LOCAL_STAGE}-${fn}`;

/** The structured (JSON) log lines a function wrote, oldest first. */
export async function functionLogs(fn: string): Promise<Record<string, unknown>[]> {
  const logs = new CloudWatchLogsClient(aws());
  const lines: Record<string, unknown>[] = [];
  let nextToken: string | undefined;
  do {
    const page = await logs.send(
      new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${functionName(fn)}`, nextToken }),
    );
    for (const event of page.events ?? []) {
      const start = event.message?.indexOf("{") ?? -1;
      if (start < 0) continue;
      try {
        lines.push(JSON.parse(event.message?.slice(start) ?? ""));
      } catch {
        // Not one of Powertools' lines.
      }
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return lines;
}
