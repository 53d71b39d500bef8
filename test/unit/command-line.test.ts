import { describe, expect, it } from "vitest";
import { parseCommand, UsageError } from "../../functions/cli/command-line.ts";

const parse = (...argv: string[]) => parseCommand(argv, "/default/dir");

describe("parseCommand", () => {
  it.each([
    [["control-plane", "up"], { kind: "control-plane", action: "up", dir: "/default/dir" }],
    [["control-plane", "down", "--dir", "/x"], { kind: "control-plane", action: "down", dir: "/x" }],
    [["control-plane", "env", "--dir=/y"], { kind: "control-plane", action: "env", dir: "/y" }],
    [["control-plane", "install"], { kind: "control-plane", action: "install" }],
    [["dev"], { kind: "dev", dir: "/default/local-stack" }],
    [["dev", "--dir", "/s"], { kind: "dev", dir: "/s" }],
    [
      ["webhooks", "--stage", "prod"],
      {
        kind: "webhooks",
        stage: "prod",
        region: undefined,
        caBundleFile: undefined,
        functionsUsername: "vmcp-lambda-functions",
      },
    ],
    [
      [
        "webhooks",
        "--stage=dev",
        "--region",
        "eu-west-1",
        "--ca-bundle-file",
        "/ca.pem",
        "--functions-username",
        "fn",
      ],
      {
        kind: "webhooks",
        stage: "dev",
        region: "eu-west-1",
        caBundleFile: "/ca.pem",
        functionsUsername: "fn",
      },
    ],
    [[], { kind: "help" }],
    [["help"], { kind: "help" }],
    [["control-plane", "up", "--help"], { kind: "help" }],
  ])("%j", (argv, command) => {
    expect(parse(...argv)).toEqual(command);
  });

  it.each([
    [["control-plane"], /control-plane needs one of up, down, env, install/],
    [["control-plane", "start"], /not "start"/],
    [["control-plane", "up", "extra"], /unknown command "control-plane up extra"/],
    [["deploy"], /unknown command "deploy"/],
    [["control-plane", "up", "--dri", "/x"], /unknown option --dri/],
    [["control-plane", "up", "--dir"], /--dir needs a directory/],
    [["webhooks"], /webhooks needs --stage STAGE/],
    [["webhooks", "--stage"], /--stage needs a stage name/],
  ])("rejects %j", (argv, message) => {
    expect(() => parse(...argv)).toThrow(UsageError);
    expect(() => parse(...argv)).toThrow(message);
  });
});
