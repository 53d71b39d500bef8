// What one identity asked the API server, from the local control plane's audit log (layout.ts keeps
// service accounts' requests): the measure of what the vMCP runtime uses.
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { inject } from "vitest";
import { layout } from "../../infra/local/control-plane/layout.ts";

export interface Request {
  readonly verb: string;
  /** "resource.group" as kubectl auth can-i names it ("secrets" for the core group). */
  readonly resource: string;
  readonly name: string;
  readonly code: number;
}

type Event = {
  stage: string;
  verb: string;
  user: { username: string };
  objectRef?: { apiGroup?: string; resource?: string; subresource?: string; name?: string };
  responseStatus?: { code?: number };
};

/** The requests of `username` recorded so far (a watch counts when it started). */
export function auditTrail(username: string): Request[] {
  const file = layout(dirname(inject("kubeconfig"))).auditLog;
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Event)
    .filter((e) => e.user.username === username && e.objectRef?.resource)
    .filter((e) => e.stage === "ResponseComplete" || (e.verb === "watch" && e.stage === "ResponseStarted"))
    .map((e) => {
      const ref = e.objectRef ?? {};
      const resource = `${ref.resource}${ref.apiGroup ? `.${ref.apiGroup}` : ""}${ref.subresource ? `/${ref.subresource}` : ""}`;
      return { verb: e.verb, resource, name: ref.name ?? "", code: e.responseStatus?.code ?? 0 };
    });
}
