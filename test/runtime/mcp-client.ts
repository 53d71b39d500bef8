// An MCP client of the vMCP runtime, as a user's agent would be: the SDK's streamable-HTTP transport.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

export interface McpSession {
  toolNames(): Promise<string[]>;
  call(tool: string, args: Record<string, unknown>): Promise<{ isError?: boolean; text: string }>;
  close(): Promise<void>;
}

export async function connect(url: string): Promise<McpSession> {
  const client = new Client({ name: "vmcp-lambda-tests", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL("/mcp", url)));
  return {
    toolNames: async () => {
      const names: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.listTools(cursor ? { cursor } : {});
        names.push(...page.tools.map((t) => t.name));
        cursor = page.nextCursor;
      } while (cursor);
      return names.sort();
    },
    call: async (tool, args) => {
      const result = (await client.callTool({ name: tool, arguments: args })) as {
        isError?: boolean;
        content?: { type: string; text?: string }[];
      };
      const text = (result.content ?? []).map((c) => c.text ?? "").join("\n");
      return { isError: result.isError, text };
    },
    close: () => client.close(),
  };
}
