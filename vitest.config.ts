import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          // One real control plane for the whole run; each test file works in a namespace of its own.
          globalSetup: ["test/integration/control-plane.setup.ts", "test/runtime/runtimes.setup.ts"],
          // Files run one at a time: tests count requests with the API server's own metrics.
          fileParallelism: false,
          testTimeout: 60_000,

          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "runtime",
          include: ["test/runtime/**/*.test.ts"],
          // ToolHive's real vMCP runtime judges what the functions write; dynamic mode needs the API server.
          globalSetup: ["test/integration/control-plane.setup.ts", "test/runtime/runtimes.setup.ts"],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: "aws",
          include: ["test/aws/**/*.test.ts"],
          // The whole local stack once per run: control plane, emulator, the deployed functions.
          globalSetup: ["test/aws/local-stack.setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
