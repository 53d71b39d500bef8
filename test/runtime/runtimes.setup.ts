// Vitest global setup: the vMCP runtimes of every supported version, built once into the per-user cache
// (`npm test` builds them before vitest starts; this covers `vitest run --project runtime` alone).
import { ensureToolhiveBinaries } from "../../infra/local/control-plane/runtimes.ts";

export default async function setup() {
  await ensureToolhiveBinaries();
}
