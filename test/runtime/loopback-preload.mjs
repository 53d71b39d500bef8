// Preloaded (node --import) into the MCP servers the runtime tests start: they listen on every interface by
// default, and tests must stay on loopback. Also records the value of one request header (RECORD_HEADER)
// to a file (RECORD_FILE), so a test can see what the vMCP runtime sent a backend.
import { appendFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === "number" || typeof args[0] === "string") {
    const [port, ...rest] = args;
    const callback = rest.find((a) => typeof a === "function");
    return listen.call(this, { port: Number(port), host: "127.0.0.1" }, callback);
  }
  if (args[0] && typeof args[0] === "object") args[0] = { ...args[0], host: "127.0.0.1" };
  return listen.apply(this, args);
};

const header = process.env.RECORD_HEADER?.toLowerCase();
const file = process.env.RECORD_FILE;
if (header && file) {
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (event, request, ...rest) {
    if (event === "request" && request.headers[header] !== undefined)
      appendFileSync(file, `${request.headers[header]}\n`);
    return emit.call(this, event, request, ...rest);
  };
}
