// A small app that uses the Suno music API: it asks for a song or extends one, receives the
// API's callbacks (text, first, complete, or error) and shows what it has. No dependencies:
// Node's fetch + http.
//
//   POST /songs {"prompt": "..."}                     -> {"taskId": "..."}  (/api/v1/generate)
//   POST /songs/<audioId>/extend {"continueAt": 60}   -> {"taskId": "..."}  (.../extend)
//   POST /suno/callback          <- the API's callbacks (answered 200 at once)
//   GET  /songs/<taskId>         -> {"stages": ["text", ...], "tracks": [...], "error": null}
//
// Run it: SUNO_API_URL=http://127.0.0.1:8080 PUBLIC_URL=http://127.0.0.1:3000 node app.mjs
import http from "node:http";
import { pathToFileURL } from "node:url";

/** A client of the Suno API (the real one or suno-mock-server: same requests, same answers). */
export class SunoClient {
  constructor(baseUrl, apiKey) {
    this.baseUrl = baseUrl.replace(/\/$/, "");
    this.apiKey = apiKey;
  }

  async call(method, path, body) {
    const response = await fetch(this.baseUrl + path, {
      method,
      headers: { Authorization: `Bearer ${this.apiKey}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // Business errors come as HTTP 200 with {"code": N, "msg": "...", "data": null}.
    const envelope = await response.json();
    if (envelope.code !== 200) {
      const error = new Error(`Suno API ${path}: ${envelope.code} ${envelope.msg}`);
      error.code = envelope.code;
      throw error;
    }
    return envelope.data;
  }

  async generate(body) {
    return (await this.call("POST", "/api/v1/generate", body)).taskId;
  }

  async extend(body) {
    return (await this.call("POST", "/api/v1/generate/extend", body)).taskId;
  }

  async recordInfo(taskId) {
    return this.call("GET", `/api/v1/generate/record-info?taskId=${encodeURIComponent(taskId)}`);
  }
}

function readJson(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString("utf8") || "null"));
      } catch (error) {
        reject(error);
      }
    });
    request.on("error", reject);
  });
}

function send(response, status, body) {
  response.writeHead(status, { "Content-Type": "application/json" });
  response.end(JSON.stringify(body));
}

/**
 * The app's HTTP server (not yet listening). `publicUrl` is where the Suno API can reach this
 * app (its callBackUrl is `${publicUrl}/suno/callback`); by default the loopback address the
 * server listens on.
 */
export function createApp({ suno, publicUrl, log = () => {} }) {
  const songs = new Map(); // taskId -> {stages, tracks, error}
  const song = (taskId) => {
    if (!songs.has(taskId)) songs.set(taskId, { stages: [], tracks: {}, error: null });
    return songs.get(taskId);
  };
  const callbackUrl = () =>
    `${publicUrl ?? `http://127.0.0.1:${server.address().port}`}/suno/callback`;

  async function submit(response, request) {
    try {
      const taskId = await request();
      song(taskId);
      log(`submitted task ${taskId}`);
      return send(response, 202, { taskId });
    } catch (error) {
      return send(response, 502, { error: error.message });
    }
  }

  async function route(request, response) {
    const url = new URL(request.url, "http://app");
    if (request.method === "POST" && url.pathname === "/suno/callback") {
      const body = await readJson(request);
      const { callbackType, task_id: taskId, data } = body.data;
      const seen = song(taskId);
      seen.stages.push(callbackType);
      // The same track arrives in `first` and `complete` (and a callback may be re-sent):
      // keep the latest version of each track, by id.
      for (const track of data ?? []) if (track.audio_url) seen.tracks[track.id] = track;
      if (callbackType === "error") seen.error = { code: body.code, msg: body.msg };
      log(`callback ${callbackType} for task ${taskId} (code ${body.code})`);
      return send(response, 200, { status: "received" });
    }
    if (request.method === "POST" && url.pathname === "/songs") {
      const { prompt } = (await readJson(request)) ?? {};
      return submit(response, () =>
        suno.generate({
          customMode: false,
          instrumental: false,
          model: "V4_5",
          prompt,
          callBackUrl: callbackUrl(),
        }),
      );
    }
    const extend = /^\/songs\/([\w-]+)\/extend$/.exec(url.pathname);
    if (request.method === "POST" && extend) {
      const { continueAt, prompt } = (await readJson(request)) ?? {};
      return submit(response, () =>
        suno.extend({
          defaultParamFlag: true,
          audioId: extend[1],
          continueAt,
          prompt: prompt ?? "[Bridge]\nHold the light",
          style: "indie pop",
          title: "Silver Moon (Extended)",
          model: "V4_5PLUS",
          callBackUrl: callbackUrl(),
        }),
      );
    }
    const match = /^\/songs\/([\w-]+)$/.exec(url.pathname);
    if (request.method === "GET" && match && songs.has(match[1])) {
      const { stages, tracks, error } = songs.get(match[1]);
      return send(response, 200, { stages, tracks: Object.values(tracks), error });
    }
    return send(response, 404, { error: "not found" });
  }

  const server = http.createServer((request, response) => {
    route(request, response).catch((error) => send(response, 400, { error: error.message }));
  });
  return server;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.env.PORT ?? 3000);
  const host = process.env.HOST ?? "127.0.0.1";
  const suno = new SunoClient(
    process.env.SUNO_API_URL ?? "http://127.0.0.1:8080",
    process.env.SUNO_API_KEY ?? "any-key",
  );
  const publicUrl = process.env.PUBLIC_URL ?? `http://127.0.0.1:${port}`;
  const server = createApp({ suno, publicUrl, log: (line) => console.log(line) });
  server.listen(port, host, () => {
    console.log(`app listening on ${host}:${port}; callBackUrl ${publicUrl}/suno/callback`);
  });
  process.on("SIGTERM", () => server.close(() => process.exit(0)));
}
