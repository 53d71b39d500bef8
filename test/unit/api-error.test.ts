import { describe, expect, it } from "vitest";
import { ApiError, apiError } from "../../functions/kube/api.ts";

describe("apiError", () => {
  it("reads the API server's Status", () => {
    const error = apiError(
      404,
      JSON.stringify({ kind: "Status", reason: "NotFound", message: 'mcpgroups "g" not found' }),
      "GET /apis/x",
    );
    expect(error).toBeInstanceOf(ApiError);
    expect([error.code, error.reason, error.message]).toEqual([
      404,
      "NotFound",
      'GET /apis/x: mcpgroups "g" not found',
    ]);
  });

  it("survives a body that is not JSON, such as a proxy's error page, or none", () => {
    const error = apiError(503, "<html>\n  <body>Service Unavailable</body>\n</html>", "PATCH /api/v1/x");
    expect([error.code, error.reason, error.message]).toEqual([
      503,
      "Unknown",
      "PATCH /api/v1/x: HTTP 503: <html> <body>Service Unavailable</body> </html>",
    ]);
    expect(apiError(500, "", "GET /x").message).toBe("GET /x: HTTP 500");
  });
});
