// Every config.yaml the functions wrote into a namespace, judged by the real `vmcp validate` of the version
// its Deployment runs (the image's tag; the default version for tags that say none). Run when an
// integration or runtime test file gives its namespace back, so every configuration any test made meets
// the runtime, not only those the gate generates.
import type { KubeConfig } from "@kubernetes/client-node";
import { parse, stringify } from "yaml";
import { DEFAULT_RUNTIME_VERSION, imageTagVersion } from "../../functions/core/runtime/versions.ts";
import { listObjects } from "../../functions/kube/api.ts";
import { inParallel } from "../../infra/local/test-kit/in-parallel.ts";
import { containerEnvNames, validateConfig } from "./vmcp-validate.ts";

type Any = Record<string, any>;

export async function rejectedConfigs(kc: KubeConfig, namespace: string): Promise<string[]> {
  const [configMaps, deployments] = (await Promise.all([
    listObjects(kc, "ConfigMap", { namespace, labelSelector: "toolhive.stacklok.io/component=vmcp-config" }),
    listObjects(kc, "Deployment", { namespace }),
  ])) as [Any[], Any[]];
  // Configurations that differ only in their name are judged once.
  const cases = new Map<string, { label: string; version: string; config: string; env: string[] }>();
  for (const configMap of configMaps) {
    const owner = configMap.metadata.labels?.["toolhive.stacklok.io/virtual-mcp-server"];
    const deployment = deployments.find((d) => d.metadata.name === owner);
    const image = deployment?.spec.template.spec.containers[0]?.image ?? "";
    const version = imageTagVersion(image) ?? DEFAULT_RUNTIME_VERSION;
    const config = configMap.data?.["config.yaml"] ?? "";
    const env = deployment ? containerEnvNames(deployment) : [];
    const key = `${version}\n${env.join(",")}\n${stringify({ ...parse(config), name: "x" })}`;
    if (!cases.has(key))
      cases.set(key, { label: `${namespace}/${configMap.metadata.name}`, version, config, env });
  }
  // `vmcp validate` is a process each, and the machine has two cores.
  const verdicts = await inParallel(
    [...cases.values()],
    async (c) => ({ c, verdict: await validateConfig(c.version, c.config, c.env) }),
    2,
  );
  return verdicts
    .filter(({ verdict }) => !verdict.accepted)
    .map(({ c, verdict }) => `${c.label} (vmcp ${c.version}): ${verdict.output.trim()}`);
}
