// Sending reconcile requests to the FIFO queue: group = namespace/name (one VirtualMCPServer at a time),
// deduplication by the write that asked (see deduplicationId). Partial failures throw, so the caller's
// own retry (EventBridge's for the router, the next schedule for resync) sends them again.
import { SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { deduplicationId, namespacedName, type ReconcileRequest } from "../core/delivery/change-hint.ts";

export async function enqueue(
  sqs: SQSClient,
  queueUrl: string,
  requests: readonly ReconcileRequest[],
  resyncAt?: string,
): Promise<void> {
  for (let start = 0; start < requests.length; start += 10) {
    const chunk = requests.slice(start, start + 10);
    const result = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: chunk.map((request, i) => ({
          Id: String(i),
          MessageBody: JSON.stringify(request),
          MessageGroupId: namespacedName(request),
          MessageDeduplicationId: deduplicationId(request, resyncAt),
        })),
      }),
    );
    if (result.Failed?.length)
      throw new Error(
        `the queue refused ${result.Failed.length} of ${chunk.length} messages: ${result.Failed[0]?.Message}`,
      );
  }
}
