// The app against suno-mock-server, under `node --test`. Start the mock first, 100x faster:
//
//   python3 dev.py serve --port 8080 --time-scale 0.01      (or the container image)
//   SUNO_API_URL=http://127.0.0.1:8080 node --test app.test.mjs
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { SunoClient, createApp } from "./app.mjs";

const suno = new SunoClient(process.env.SUNO_API_URL ?? "http://127.0.0.1:8080", "test-key");
let app;
let appUrl;

before(async () => {
  // By default on loopback (where the mock may call back unless told otherwise), on a free port,
  // and the callBackUrl is that address. When the mock runs elsewhere (a CI service container),
  // APP_HOST, APP_PORT and APP_PUBLIC_URL say where it can reach this app.
  app = createApp({ suno, publicUrl: process.env.APP_PUBLIC_URL });
  const host = process.env.APP_HOST ?? "127.0.0.1";
  await new Promise((resolve) => app.listen(Number(process.env.APP_PORT ?? 0), host, resolve));
  appUrl = `http://127.0.0.1:${app.address().port}`;
});

after(() => new Promise((resolve) => app.close(resolve)));

async function poll(check, { timeoutMs = 30_000, intervalMs = 50 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

test("a song request gets its three callbacks, polls as SUCCESS and its audio is an MP3", async () => {
  const submitted = await fetch(`${appUrl}/songs`, {
    method: "POST",
    body: JSON.stringify({ prompt: "a calm piano song about rain" }),
  });
  assert.equal(submitted.status, 202);
  const { taskId } = await submitted.json();

  const song = await poll(async () => {
    const seen = await (await fetch(`${appUrl}/songs/${taskId}`)).json();
    return seen.stages.length === 3 && seen;
  });
  assert.deepEqual(song.stages, ["text", "first", "complete"]);
  assert.equal(song.tracks.length, 2);

  const info = await suno.waitForStatus(taskId, "SUCCESS");
  assert.equal(info.taskId, taskId);
  const tracks = info.response.sunoData;
  assert.deepEqual(tracks.map((t) => t.id).sort(), song.tracks.map((t) => t.id).sort());

  const audio = await fetch(tracks[0].audioUrl);
  assert.equal(audio.status, 200);
  assert.equal(audio.headers.get("content-type"), "audio/mpeg");
  const bytes = new Uint8Array(await audio.arrayBuffer());
  const id3 = bytes[0] === 0x49 && bytes[1] === 0x44 && bytes[2] === 0x33; // "ID3"
  const frameSync = bytes[0] === 0xff && (bytes[1] & 0xe0) === 0xe0;
  assert.ok(id3 || frameSync, "the audio URL serves an MP3");
});

test("an invalid request gets the API's error envelope", async () => {
  await assert.rejects(
    suno.generate({ customMode: false, instrumental: false, model: "V4_5", callBackUrl: appUrl }),
    (error) => error.code === 400 && /prompt/.test(error.message),
  );
});
