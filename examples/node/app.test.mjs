// The app against suno-mock-server under `node --test`, with the Node kit: the mock runs on a
// manual clock, so a wait moves mock time timer by timer and returns as soon as the callback
// was delivered to the app: no sleep, tens of milliseconds per test.
//
//   npm install && npm test          (starts `suno-mock serve`: on PATH, or SUNO_MOCK_COMMAND)
//   SUNO_MOCK_URL=http://127.0.0.1:8080 npm test    (a running `suno-mock serve --manual-clock`)
import assert from "node:assert/strict";
import { after, afterEach, before, beforeEach, describe, test } from "node:test";

import { attachMock, startMock } from "suno-mock-server-kit";

import { SunoClient, createApp } from "./app.mjs";

const AUDIO_ID = "e3225e2d-16ec-4f5c-9dcc-16fd548631e1"; // the track the app extends
let mock;
let app;
let appUrl;

describe("the app against suno-mock-server", () => {
  before(async () => {
    mock = process.env.SUNO_MOCK_URL ? attachMock() : await startMock({ seed: 1 });
  });

  after(() => mock?.stop());

  // Every test starts from a fresh mock (no tasks, the clock at its start, the default scenario:
  // the same requests get the same task ids) and a fresh app.
  beforeEach(async () => {
    await mock.restore();
    // By default on loopback (where the mock may call back unless told otherwise), on a free port,
    // and the callBackUrl is that address. When the mock runs elsewhere (a CI service container),
    // APP_HOST, APP_PORT and APP_PUBLIC_URL say where it can reach this app.
    app = createApp({
      suno: new SunoClient(mock.apiUrl, "test-key"),
      publicUrl: process.env.APP_PUBLIC_URL,
    });
    const host = process.env.APP_HOST ?? "127.0.0.1";
    await new Promise((resolve) => app.listen(Number(process.env.APP_PORT ?? 0), host, resolve));
    appUrl = `http://127.0.0.1:${app.address().port}`;
  });

  afterEach(() => new Promise((resolve) => app.close(resolve)));

  async function post(path, body) {
    const response = await fetch(appUrl + path, { method: "POST", body: JSON.stringify(body) });
    return { status: response.status, body: await response.json() };
  }

  async function song(taskId) {
    return (await fetch(`${appUrl}/songs/${taskId}`)).json();
  }

  test("an extend through the app gets text, first and complete", async () => {
    const { status, body } = await post(`/songs/${AUDIO_ID}/extend`, { continueAt: 60 });
    assert.equal(status, 202);

    const complete = await mock.waitForCallback(body.taskId, "complete"); // mock time, no sleep
    assert.equal(complete.attempts.at(-1).status, 200); // what the app answered

    await mock.assertCallbackSequence(body.taskId, ["text", "first", "complete"]);
    const seen = await song(body.taskId);
    assert.deepEqual(seen.stages, ["text", "first", "complete"]);
    assert.equal(seen.tracks.length, 2);
    assert.deepEqual(new Set(seen.tracks.map((t) => t.title)), new Set(["Silver Moon (Extended)"]));
  });

  test("the same extend under copyright-violation: the app records the error", async () => {
    await mock.nextTask({ scenario: "copyright-violation" });
    const { body } = await post(`/songs/${AUDIO_ID}/extend`, { continueAt: 60 });

    const error = await mock.waitForCallback(body.taskId, "error");
    assert.equal(error.attempts.at(-1).status, 200);
    const seen = await song(body.taskId);
    assert.equal(seen.error.code, 400);
    assert.match(seen.error.msg, /copyright|copyrighted/i);
    assert.deepEqual(seen.tracks, []);
    // This task never sends `complete`: waiting for it fails at once, with what the mock saw.
    await assert.rejects(mock.waitForCallback(body.taskId, "complete"), (error) => {
      const [why, ...journal] = error.message.split("\n");
      assert.match(why, /^no 'complete' callback for task \w+ within 3600 s of mock time/);
      assert.equal(journal[0], "requests received:");
      assert.match(journal[1], /^ {2}\d+\. POST \/api\/v1\/generate\/extend -> HTTP 200 code=200/);
      assert.match(journal.at(-1), new RegExp(`^  error #1 task ${body.taskId} -> HTTP 200`));
      return true;
    });
  });

  test("a generated song polls as SUCCESS and its audio is an MP3", async () => {
    const { body } = await post("/songs", { prompt: "a calm piano song about rain" });
    await mock.waitForStatus(body.taskId, "SUCCESS");

    const info = await new SunoClient(mock.apiUrl, "test-key").recordInfo(body.taskId);
    assert.equal(info.status, "SUCCESS");
    const tracks = info.response.sunoData;
    const seen = await song(body.taskId);
    assert.deepEqual(tracks.map((t) => t.id).sort(), seen.tracks.map((t) => t.id).sort());

    const audio = await fetch(tracks[0].audioUrl);
    assert.equal(audio.status, 200);
    assert.equal(audio.headers.get("content-type"), "audio/mpeg");
    const bytes = new Uint8Array(await audio.arrayBuffer());
    const id3 = bytes[0] === 0x49 && bytes[1] === 0x44 && bytes[2] === 0x33; // "ID3"
    const frameSync = bytes[0] === 0xff && (bytes[1] & 0xe0) === 0xe0;
    assert.ok(id3 || frameSync, "the audio URL serves an MP3");
  });

  test("an invalid request gets the API's error envelope", async () => {
    const suno = new SunoClient(mock.apiUrl, "test-key");
    await assert.rejects(
      suno.generate({ customMode: false, instrumental: false, model: "V4_5", callBackUrl: appUrl }),
      (error) => error.code === 400 && /prompt/.test(error.message),
    );
  });
});
