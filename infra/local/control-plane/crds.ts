// Installs the project's CustomResourceDefinitions and waits until the API serves every version of them.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { ApiextensionsV1Api, type KubeConfig } from "@kubernetes/client-node";
import { parse } from "yaml";
import { z } from "zod";
import { rawRequest } from "../../../functions/kube/raw-request.ts";

export const CRD_DIRECTORY = fileURLToPath(new URL("../../../crds/", import.meta.url));
const FIELD_MANAGER = "vmcp-lambda-control-plane";

const CrdManifest = z.looseObject({
  apiVersion: z.literal("apiextensions.k8s.io/v1"),
  kind: z.literal("CustomResourceDefinition"),
  metadata: z.looseObject({ name: z.string() }),
  spec: z.looseObject({
    group: z.string(),
    names: z.looseObject({ plural: z.string(), kind: z.string() }),
    versions: z.array(z.looseObject({ name: z.string(), served: z.boolean(), storage: z.boolean() })),
  }),
});
export type CrdManifest = z.infer<typeof CrdManifest>;

export async function loadCrds(directory: string = CRD_DIRECTORY): Promise<CrdManifest[]> {
  const files = (await readdir(directory)).filter((f) => f.endsWith(".yaml")).sort();
  return Promise.all(
    files.map(async (file) => {
      const parsed = CrdManifest.safeParse(parse(await readFile(join(directory, file), "utf8")));
      if (!parsed.success)
        throw new Error(`${file} is not a CustomResourceDefinition: ${parsed.error.message}`);
      return parsed.data;
    }),
  );
}

async function servedPlurals(kc: KubeConfig, groupVersion: string): Promise<Set<string>> {
  const response = await rawRequest(kc, `/apis/${groupVersion}`).catch(() => undefined);
  if (response?.status !== 200) return new Set();
  const body = JSON.parse(response.body) as { resources?: { name: string }[] };
  return new Set((body.resources ?? []).map((r) => r.name));
}

/** Server-side applies every CRD, then waits until each is Established and every served version is discoverable. */
export async function installCrds(kc: KubeConfig, crds: CrdManifest[], timeoutMs = 30_000): Promise<void> {
  // Raw apply: client-node's typed model would drop `enum`, `default` and the x-kubernetes-* extensions.
  for (const crd of crds) {
    const path = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`;
    const response = await rawRequest(kc, `${path}?fieldManager=${FIELD_MANAGER}&force=true`, {
      method: "PATCH",
      headers: { "content-type": "application/apply-patch+yaml" },
      body: JSON.stringify(crd),
    });
    if (response.status !== 200 && response.status !== 201) {
      throw new Error(`applying CRD ${crd.metadata.name} failed (HTTP ${response.status}): ${response.body}`);
    }
  }
  const extensions = kc.makeApiClient(ApiextensionsV1Api);
  const isServed = async (crd: CrdManifest): Promise<boolean> => {
    const live = await extensions.readCustomResourceDefinition({ name: crd.metadata.name });
    if (!live.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")) return false;
    const served = crd.spec.versions.filter((v) => v.served).map((v) => `${crd.spec.group}/${v.name}`);
    const plurals = await Promise.all(served.map((groupVersion) => servedPlurals(kc, groupVersion)));
    return plurals.every((names) => names.has(crd.spec.names.plural));
  };
  const deadline = Date.now() + timeoutMs;
  for (const crd of crds) {
    while (!(await isServed(crd))) {
      if (Date.now() > deadline)
        throw new Error(`CRD ${crd.metadata.name} was not established and served in time`);
      await sleep(100);
    }
  }
}
