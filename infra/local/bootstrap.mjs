// Installs the npm dependencies when they are missing or stale, before `npm test` / `npm start`.
// Plain JavaScript on purpose: it runs on whatever Node the machine has, before the project's Node 22
// (the `node` devDependency) exists.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const lock = readFileSync("package-lock.json");
const want = createHash("sha256").update(lock).digest("hex");
const stamp = "node_modules/.install-stamp";
const have = existsSync(stamp) ? readFileSync(stamp, "utf8").trim() : "";

if (have !== want) {
  console.error("[bootstrap] installing npm dependencies (npm ci)");
  const result = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
  writeFileSync(stamp, `${want}\n`);
}
