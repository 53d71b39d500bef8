// Publishes change hints to the EventBridge bus that the hint router's rule listens on.
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import type { ChangeHint } from "../core/delivery/change-hint.ts";
import type { HintPublisher } from "./hints.ts";

export const HINT_SOURCE = "vmcp-lambda.admission";
export const HINT_DETAIL_TYPE = "ChangeHint";

export class EventBusPublisher implements HintPublisher {
  readonly #client: EventBridgeClient;
  readonly #busName: string;

  constructor(busName: string, client = new EventBridgeClient({})) {
    this.#busName = busName;
    this.#client = client;
  }

  async publish(hint: ChangeHint): Promise<void> {
    const result = await this.#client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.#busName,
            Source: HINT_SOURCE,
            DetailType: HINT_DETAIL_TYPE,
            Detail: JSON.stringify(hint),
          },
        ],
      }),
    );
    if (result.FailedEntryCount)
      throw new Error(`the bus refused the hint: ${result.Entries?.[0]?.ErrorMessage ?? "no reason given"}`);
  }
}
