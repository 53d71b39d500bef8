import { describe, expect, it } from "vitest";
import {
  strategicMerge,
  validatePodTemplatePatch,
} from "../../../functions/core/reconcile/pod-template-merge.ts";

const base = {
  metadata: { labels: { app: "x" } },
  spec: {
    containers: [
      {
        name: "vmcp",
        image: "a",
        env: [{ name: "A", value: "1" }],
        ports: [{ containerPort: 4483, name: "http" }],
      },
    ],
    volumes: [{ name: "config", configMap: { name: "c" } }],
    tolerations: [{ key: "old" }],
  },
};

describe("strategicMerge", () => {
  it("merges maps, merges named lists by key, replaces other lists, deletes on null", () => {
    const merged = strategicMerge(base, {
      metadata: { labels: { team: "t" } },
      spec: {
        containers: [
          { name: "vmcp", env: [{ name: "B", value: "2" }] },
          { name: "sidecar", image: "s" },
        ],
        volumes: [{ name: "extra", emptyDir: {} }],
        tolerations: [{ key: "new" }],
        nodeSelector: { disk: "ssd" },
      },
    }) as typeof base & { spec: { nodeSelector: unknown } };
    expect(merged.metadata.labels).toEqual({ app: "x", team: "t" });
    expect(merged.spec.containers).toEqual([
      {
        name: "vmcp",
        image: "a",
        env: [
          { name: "A", value: "1" },
          { name: "B", value: "2" },
        ],
        ports: [{ containerPort: 4483, name: "http" }],
      },
      { name: "sidecar", image: "s" },
    ]);
    expect(merged.spec.volumes.map((v) => v.name)).toEqual(["config", "extra"]);
    expect(merged.spec.tolerations).toEqual([{ key: "new" }]);
    expect(strategicMerge(base, { metadata: { labels: null } }).metadata).toEqual({});
  });

  it("honours $patch: delete on keyed list items", () => {
    const merged = strategicMerge(base, {
      spec: { volumes: [{ name: "config", $patch: "delete" }] },
    }) as typeof base;
    expect(merged.spec.volumes).toEqual([]);
  });

  it("reports keyed list items without their key, by path", () => {
    expect(validatePodTemplatePatch({ spec: { containers: [{ image: "x" }] } })).toEqual([
      {
        path: "spec.podTemplateSpec.spec.containers[0].name",
        message: "required: containers entries are merged by name",
      },
    ]);
    expect(validatePodTemplatePatch("nope")).toHaveLength(1);
    expect(validatePodTemplatePatch({ spec: { containers: [{ name: "vmcp" }] } })).toEqual([]);
  });
});
