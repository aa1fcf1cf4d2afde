// A real callback receiver on loopback and the command that runs the repository's mock.
import { existsSync } from "node:fs";
import http from "node:http";
import { fileURLToPath } from "node:url";

const repoVenv = fileURLToPath(new URL("../../../.venv/bin/suno-mock", import.meta.url));

/** SUNO_MOCK_COMMAND, else this repository's .venv (python3 dev.py makes it), else PATH. */
export const command = process.env.SUNO_MOCK_COMMAND
  ? undefined
  : existsSync(repoVenv)
    ? [repoVenv]
    : undefined;

/** Records every callback; answers the statuses given (then 200). */
export async function startReceiver() {
  const received = [];
  const statuses = [];
  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      received.push(body);
      response.writeHead(statuses.shift() ?? 200, { "Content-Type": "application/json" });
      response.end('{"status":"received"}');
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/suno/callback`,
    received,
    types: () => received.map((body) => body.data.callbackType),
    respondWith: (...codes) => statuses.push(...codes),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

export async function generate(mock, callBackUrl, extra = {}) {
  const response = await fetch(`${mock.apiUrl}/api/v1/generate`, {
    method: "POST",
    headers: { Authorization: "Bearer test-key", "Content-Type": "application/json" },
    body: JSON.stringify({
      customMode: false,
      instrumental: false,
      model: "V4_5",
      prompt: "a calm piano song about rain",
      callBackUrl,
      ...extra,
    }),
  });
  const envelope = await response.json();
  if (envelope.code !== 200) throw new Error(`generate: ${JSON.stringify(envelope)}`);
  return envelope.data.taskId;
}
