// The gate over VirtualMCPServers nobody wrote by hand: fast-check generates specs within the CRD schema
// (generated-vmcps.ts) and, around each, a group of members, auth configs and an MCPOIDCConfig. Every one
// must either get a config.yaml the real `vmcp validate` accepts, or be refused naming the field.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SUPPORTED_VERSIONS } from "../../functions/core/runtime/versions.ts";
import { AUTH_NAMES, authConfigs, member, oidcConfig, snapshotOf, spec } from "./generated-vmcps.ts";
import { judge } from "./judge.ts";

const RUNS = Number(process.env.VMCP_GATE_RUNS) || 150;

describe.each(SUPPORTED_VERSIONS)("generated VirtualMCPServers against vmcp validate %s", (version) => {
  it(`each gets a config the runtime accepts, or is refused naming the field (${RUNS} runs)`, async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(
        spec,
        fc.uniqueArray(member, { maxLength: 3, selector: (m) => m.name }),
        fc.uniqueArray(authConfigs, {
          selector: (c) => c.name,
          minLength: AUTH_NAMES.length,
          maxLength: AUTH_NAMES.length,
        }),
        // Now and then none, so a missing MCPOIDCConfig is refused too.
        fc.option(oidcConfig, { freq: 8, nil: undefined }),
        async (vmcpSpec, members, configs, oidc) => {
          const judgement = await judge(version, snapshotOf(vmcpSpec, members, configs, oidc));
          if (judgement.kind === "rejected")
            throw new Error(`${judgement.reason}\n${judgement.config ?? ""}`);
          if (judgement.kind === "refused") expect(judgement.message).toMatch(/^(spec|metadata)\.[A-Za-z]/);
          else accepted++;
        },
      ),
      { numRuns: RUNS },
    );
    // A generator that only produced refusals would prove nothing about the configs. About a quarter are
    // accepted (35 to 45 of 150 measured over eight runs, every seed new); a floor of a fifth failed one run
    // in ten by chance, so the floor sits far below that: a tenth.
    expect(accepted).toBeGreaterThan(RUNS / 10);
  });
});
