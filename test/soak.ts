// The long variants of the fault and load tests: `npm run test:soak` sets VMCP_SOAK=1, and `npm test`
// runs the short ones, well inside CI's time.
export const SOAK = process.env.VMCP_SOAK === "1";

/** `short` in `npm test`, `long` in `npm run test:soak`. */
export const soakOr = <T>(short: T, long: T): T => (SOAK ? long : short);
