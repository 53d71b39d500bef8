// The entries of spec.outgoingAuth, apart from the schemas so that the mutating webhook can walk them
// without loading zod (its cold start is measured, see BENCHMARKS.md; biome.json's rules for the mutating
// path and test/unit/bundles.test.ts keep classic zod off it).
/**
 * spec.outgoingAuth's default and per-backend entries with their field paths, in that order. Generic so
 * that the mutating webhook can walk the raw object it edits in place.
 */
export function outgoingAuthEntries<T>(
  outgoing: { default?: T; backends?: Record<string, T> } | undefined,
): [string, T][] {
  const entries: [string, T][] =
    outgoing?.default === undefined ? [] : [["spec.outgoingAuth.default", outgoing.default]];
  for (const [name, auth] of Object.entries(outgoing?.backends ?? {}))
    entries.push([`spec.outgoingAuth.backends[${name}]`, auth]);
  return entries;
}
