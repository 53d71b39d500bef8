// What an identity may do, as `kubectl auth can-i --list` prints it, one "verb resource [name]" per line.
import { expect } from "vitest";
import { kubectl } from "./cluster.ts";

/** `kubectl auth can-i --list` as "verb resource [name]" and "verb /url" lines, one per permission. */
export function permissions(result: { status: number; stdout: string; stderr: string }): string[] {
  expect(result.status, result.stderr).toBe(0);
  const found = new Set<string>();
  for (const line of result.stdout.split("\n").filter((l) => l.trim())) {
    const match = /^(\S*)\s+\[([^\]]*)\]\s+\[([^\]]*)\]\s+\[([^\]]*)\]\s*$/.exec(line);
    if (!match) throw new Error(`not a line of kubectl auth can-i --list: ${line}`);
    const [, resource = "", urls = "", names = "", verbs = ""] = match;
    for (const verb of verbs.split(" ")) {
      if (!resource) for (const url of urls.split(" ")) found.add(`${verb} ${url}`);
      else
        for (const name of names ? names.split(" ") : [""]) found.add(`${verb} ${resource} ${name}`.trim());
    }
  }
  return [...found].sort();
}

/** Everything `who` (kubectl flags such as --as=…) may do in a namespace. */
export const permissionsOf = (who: string[], namespace: string) =>
  permissions(kubectl(["auth", "can-i", "--list", "--no-headers", "-n", namespace, ...who]));
