// What the validating webhook needs beyond the mutating one: the decision with its rules and zod schemas,
// the cluster lookups (client-node), and the bus publisher (the AWS SDK). One module, loaded on the first
// validation and bundled as a file of its own (infra/aws/bundle-plugin.cjs), so that a mutation, called
// first on every write, loads none of it (BENCHMARKS.md, cold start). Checked, not remembered: biome.json
// forbids classic zod, client-node and the AWS SDK in the mutating path's files, and
// test/unit/bundles.test.ts fails if index.mjs loads any of them.

export { clusterAccess } from "../lambda/cluster-access.ts";
export { EventBusPublisher } from "./event-bus.ts";
export { lookUp, lookUpOwner } from "./lookups.ts";
export { fence, validate } from "./validate-review.ts";
