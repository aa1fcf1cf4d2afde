// The same flow in TypeScript (`npm run test:ts` compiles it with tsc, then runs node --test):
// the kit's types say what a delivery, a task and a wait option are.
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, afterEach, before, beforeEach, describe, test } from "node:test";

import { type Delivery, type SunoMock, attachMock, startMock } from "suno-mock-server-kit";

import { SunoClient, createApp } from "./app.mjs";

const AUDIO_ID = "e3225e2d-16ec-4f5c-9dcc-16fd548631e1";
let mock: SunoMock;
let app: ReturnType<typeof createApp>;
let appUrl: string;

interface Song {
  stages: string[];
  tracks: { id: string; title: string }[];
  error: { code: number; msg: string } | null;
}

describe("the app against suno-mock-server", () => {
  before(async () => {
    mock = process.env.SUNO_MOCK_URL ? attachMock() : await startMock({ seed: 1 });
  });

  after(() => mock?.stop());

  // A fresh mock (the same requests get the same task ids) and a fresh app for every test.
  beforeEach(async () => {
    await mock.restore();
    app = createApp({ suno: new SunoClient(mock.apiUrl, "test-key"), publicUrl: undefined });
    await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  });

  afterEach(() => new Promise((resolve) => app.close(resolve)));

  async function extend(): Promise<string> {
    const response = await fetch(`${appUrl}/songs/${AUDIO_ID}/extend`, {
      method: "POST",
      body: JSON.stringify({ continueAt: 60 }),
    });
    assert.equal(response.status, 202);
    return ((await response.json()) as { taskId: string }).taskId;
  }

  async function song(taskId: string): Promise<Song> {
    return (await (await fetch(`${appUrl}/songs/${taskId}`)).json()) as Song;
  }

  test("an extend through the app completes on the manual clock", async () => {
    const taskId = await extend();
    const complete: Delivery = await mock.waitForCallback(taskId, "complete", { within: 600 });
    assert.equal(complete.attempts.at(-1)?.status, 200);
    assert.deepEqual((await song(taskId)).stages, ["text", "first", "complete"]);
  });

  test("under copyright-violation the app gets an error and no tracks", async () => {
    await mock.nextTask({ scenario: "copyright-violation" });
    const taskId = await extend();
    await mock.waitForCallback(taskId, "error");
    const seen = await song(taskId);
    assert.equal(seen.error?.code, 400);
    assert.deepEqual(seen.tracks, []);
    const task = await mock.task(taskId);
    assert.equal(task.status, "GENERATE_AUDIO_FAILED");
  });
});
