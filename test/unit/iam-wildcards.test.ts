// IAM in the sources: no "*" in an Action or Resource unless AWS requires it, and then a comment on the
// statement says why. The compiled template's wildcards are checked by test/aws/template.test.ts; this one
// reads the YAML as written, where the comments are.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isScalar, isSeq, type Node, parseDocument, visit, type YAMLMap } from "yaml";

const ROOT = new URL("../../", import.meta.url).pathname;
const SOURCES = ["serverless.yml", "infra/aws/resources.yml", "infra/eks/access-entries.yml"];
const FIELDS = ["Action", "NotAction", "Resource", "NotResource"];

interface Wildcard {
  readonly line: number;
  readonly actions: string[];
  readonly wildcards: string[];
  /** The statement's comment, or the comment at the wildcard's field or value; "" when there is none. */
  readonly comment: string;
}

const scalars = (node: unknown): string[] =>
  isScalar(node) ? [String(node.value)] : isSeq(node) ? node.items.flatMap(scalars) : [];

/** Every IAM statement (a map with an Effect) that has "*" in an Action or Resource, with its comment. */
function wildcardStatements(text: string): Wildcard[] {
  const doc = parseDocument(text); // CloudFormation's !Ref and !GetAtt stay unresolved tags: only warnings
  expect(doc.errors).toEqual([]);
  const found: Wildcard[] = [];
  visit(doc, {
    // Aliases (`- *xray`) are not visited into: a shared statement is checked once, where it is written.
    Map(_, statement: YAMLMap<unknown, unknown>) {
      if (!statement.has("Effect")) return;
      const comments = [statement.commentBefore, statement.comment];
      const wildcards: string[] = [];
      for (const pair of statement.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : "";
        if (!FIELDS.includes(key)) continue;
        const values = scalars(pair.value).filter((value) => value.includes("*"));
        if (values.length === 0) continue;
        wildcards.push(...values.map((value) => `${key}: ${value}`));
        comments.push((pair.key as Node).commentBefore, (pair.value as Node | null)?.comment);
        if (isSeq(pair.value)) comments.push(...pair.value.items.map((item) => (item as Node).comment));
      }
      if (wildcards.length === 0) return;
      found.push({
        line: text.slice(0, statement.range?.[0] ?? 0).split("\n").length,
        actions: scalars(statement.get("Action", true)),
        wildcards,
        comment: comments.filter(Boolean).join(" ").trim(),
      });
    },
  });
  return found;
}

describe("IAM wildcards in the sources", () => {
  it("are only X-Ray's trace writing, which supports no resource-level permissions, and say so", () => {
    const found = SOURCES.flatMap((file) =>
      wildcardStatements(readFileSync(`${ROOT}${file}`, "utf8")).map((w) => ({ file, ...w })),
    );
    expect(found.map(({ file, actions, wildcards }) => ({ file, actions, wildcards }))).toEqual([
      {
        file: "infra/aws/resources.yml",
        actions: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
        wildcards: ["Resource: *"],
      },
    ]);
    for (const w of found) expect(w.comment, `${w.file}:${w.line}`).toMatch(/AWS requires/);
  });

  it("finds an uncommented wildcard action or resource, and takes a comment above or beside it", () => {
    // The control: the reader sees wildcards wherever a statement can hold them, and comments wherever
    // YAML lets one be written.
    const policy = `
Statement:
  - Effect: Allow
    Action: s3:*
    Resource: !GetAtt Bucket.Arn
  - Effect: Allow
    Action: [sqs:SendMessage]
    Resource:
      - "*"
  # CloudWatch's PutMetricData has no resource ARN: AWS requires "*".
  - Effect: Allow
    Action: cloudwatch:PutMetricData
    Resource: "*"
  - Effect: Allow
    Action: logs:PutLogEvents
    Resource: "*" # AWS requires it for this test
  - Effect: Allow
    Action: logs:CreateLogStream
    Resource: !GetAtt LogGroup.Arn
`;
    expect(wildcardStatements(policy)).toEqual([
      { line: 3, actions: ["s3:*"], wildcards: ["Action: s3:*"], comment: "" },
      { line: 6, actions: ["sqs:SendMessage"], wildcards: ["Resource: *"], comment: "" },
      {
        line: 11,
        actions: ["cloudwatch:PutMetricData"],
        wildcards: ["Resource: *"],
        comment: `CloudWatch's PutMetricData has no resource ARN: AWS requires "*".`,
      },
      {
        line: 14,
        actions: ["logs:PutLogEvents"],
        wildcards: ["Resource: *"],
        comment: "AWS requires it for this test",
      },
    ]);
  });
});
