// A tiny HTTP server on 127.0.0.1 that records every request (for remote-content tests).

import { createServer } from "node:http";

const GIF = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");

export async function countingServer() {
  const requests = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method, path: req.url, time: Date.now() });
    const type = req.url.endsWith(".gif") ? "image/gif" : req.url.endsWith(".css") ? "text/css" : "image/png";
    res.writeHead(200, { "content-type": type, "cache-control": "no-store" });
    res.end(type === "image/gif" ? GIF : "");
  });
  await new Promise((res) => server.listen(0, "127.0.0.1", res));
  return {
    port: server.address().port,
    requests,
    paths: () => requests.map((r) => r.path),
    close: () =>
      new Promise((res) => {
        server.closeAllConnections();
        server.close(() => res());
      }),
  };
}
