// Which runtime an image runs, and the error that stops a function started with one it cannot serve.
import { describe, expect, it } from "vitest";
import { imageTagVersion, runtimeProfile } from "../../../functions/core/runtime/versions.ts";

describe("the runtime version of an image", () => {
  it.each([
    ["ghcr.io/stacklok/toolhive/vmcp:v0.47.0", "v0.47.0"],
    ["registry:5000/vmcp:0.44.0", "v0.44.0"],
    ["ghcr.io/stacklok/toolhive/vmcp:v0.47.0@sha256:abc", "v0.47.0"],
    ["ghcr.io/stacklok/toolhive/vmcp:latest", undefined],
    ["registry:5000/vmcp", undefined],
    ["ghcr.io/stacklok/toolhive/vmcp@sha256:abc", undefined],
  ])("%s runs %s", (image, version) => {
    expect(imageTagVersion(image)).toBe(version);
  });

  it("follows the tag, or VMCP_RUNTIME_VERSION when set", () => {
    expect(runtimeProfile("x/vmcp:v0.44.0")).toEqual({ version: "v0.44.0", statusShape: "top-level" });
    expect(runtimeProfile("x/vmcp:v0.47.0")).toEqual({ version: "v0.47.0", statusShape: "runtime" });
    expect(runtimeProfile("mirror/vmcp:2026-12", "0.47.0").statusShape).toBe("runtime");
  });

  it("refuses what it cannot serve, naming the settings", () => {
    expect(() => runtimeProfile("x/vmcp:latest")).toThrow(
      'VMCP_IMAGE "x/vmcp:latest" has no version tag; set VMCP_RUNTIME_VERSION to the vMCP runtime version it runs (v0.44.0, v0.47.0)',
    );
    expect(() => runtimeProfile("x/vmcp:v0.63.0")).toThrow(
      /runs vMCP runtime v0.63.0, which is not supported .*VMCP_RUNTIME_VERSION/,
    );
    expect(() => runtimeProfile("x/vmcp:v0.47.0", "v0.46.0")).toThrow(/^VMCP_RUNTIME_VERSION is "v0.46.0"/);
  });
});
