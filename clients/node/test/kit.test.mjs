// The kit against the real mock (`suno-mock serve`) on loopback, with a real receiver.
import assert from "node:assert/strict";
import { after, afterEach, before, beforeEach, describe, test } from "node:test";

import { ControlError, SunoMock, attachMock, startMock } from "../dist/index.js";
import { command, generate, startReceiver } from "./helpers.mjs";

const START = 1_767_225_600; // Settings.start_time: 2026-01-01T00:00:00Z

describe("a started mock", () => {
  let mock;
  let receiver;

  before(async () => {
    mock = await startMock({ command, seed: 7 });
    receiver = await startReceiver();
  });
  after(async () => {
    await mock?.stop();
    await receiver?.close();
  });
  beforeEach(async () => {
    await mock.restore();
    receiver.received.length = 0;
  });

  test("listens on loopback with a manual clock at the start time and the seed", async () => {
    assert.match(mock.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(await mock.clock(), { now: START, paused: true, seed: 7 });
  });

  test("waitForCallback drives the clock to the callback, with no sleep", async () => {
    const taskId = await generate(mock, receiver.url);
    assert.deepEqual(receiver.types(), []); // time stands still until driven
    const started = performance.now();
    const complete = await mock.waitForCallback(taskId, "complete");
    const ms = performance.now() - started;
    assert.equal(complete.callbackType, "complete");
    assert.deepEqual(complete.attempts.map((a) => a.status), [200]);
    assert.deepEqual(receiver.types(), ["text", "first", "complete"]);
    assert.ok(ms < 1000, `the wait took ${ms} ms`);
    const { now } = await mock.clock();
    assert.equal(now, complete.attempts[0].startedAt);
    await mock.assertCallbackSequence(taskId, ["text", "first", "complete"]);
  });

  test("waitForStatus returns the task with what record-info answers", async () => {
    const taskId = await generate(mock, receiver.url);
    const task = await mock.waitForStatus(taskId, "FIRST_SUCCESS");
    assert.equal(task.status, "FIRST_SUCCESS");
    assert.equal(task.recordInfo.status, "FIRST_SUCCESS");
    assert.deepEqual(receiver.types(), ["text", "first"]);
  });

  test("a callback that never comes fails with the requests and every attempt", async () => {
    await mock.nextTask({ scenario: "copyright-violation" });
    receiver.respondWith(500); // the first callback is retried: two attempts in the journal
    const taskId = await generate(mock, receiver.url);
    const error = await mock.waitForCallback(taskId, "complete").then(
      () => assert.fail("the wait should have failed"),
      (thrown) => thrown,
    );
    assert.ok(error instanceof Error);
    // Request numbers go on rising across the restore between tests: compare without them.
    const lines = error.message
      .split("\n")
      .map((line) => line.replace(/ in [\d.]+ ms.*/, "").replace(/^ {2}\d+\. /, "  N. "));
    assert.deepEqual(lines, [
      `no 'complete' callback for task ${taskId} within 3600 s of mock time (no timer is pending)`,
      "requests received:",
      "  N. POST /api/v1/generate -> HTTP 200 code=200 success",
      `callbacks attempted for task ${taskId}:`,
      `  text #1 task ${taskId} -> HTTP 500`,
      `  text #2 task ${taskId} -> HTTP 200`,
      `  error #1 task ${taskId} -> HTTP 200`,
    ]);
  });

  test("within bounds how far a wait moves the clock", async () => {
    const taskId = await generate(mock, receiver.url);
    await assert.rejects(mock.waitForCallback(taskId, "complete", { within: 1 }), (error) =>
      /within 1 s of mock time \(the next timer is due [\d.]+ s later/.test(error.message),
    );
    assert.ok((await mock.clock()).now <= START + 1);
  });

  test("advance moves the clock and fires what falls due", async () => {
    const taskId = await generate(mock, receiver.url);
    const clock = await mock.advance(3600);
    assert.equal(clock.now, START + 3600);
    assert.deepEqual(receiver.types(), ["text", "first", "complete"]);
    assert.deepEqual((await mock.deliveries(taskId)).map((d) => d.state), [
      "delivered",
      "delivered",
      "delivered",
    ]);
  });

  test("useScenario applies to every following task; restore puts the default back", async () => {
    const state = await mock.useScenario("copyright-violation");
    assert.equal(state.default, "copyright-violation");
    const first = await generate(mock, receiver.url);
    const second = await generate(mock, receiver.url);
    for (const taskId of [first, second]) {
      const delivery = await mock.waitForCallback(taskId, "error");
      assert.equal(delivery.payload.code, 400);
    }
    await mock.restore();
    assert.equal((await mock.useScenario(null)).default, null);
    assert.deepEqual(await mock.tasks(), []);
  });

  test("restore gives the same ids to the same requests", async () => {
    const first = await generate(mock, receiver.url);
    await mock.restore();
    assert.equal((await mock.clock()).now, START);
    assert.equal(await generate(mock, receiver.url), first);
  });

  test("requests and deliveries page through everything, oldest first", async () => {
    const sent = 201; // more than one page (200)
    await Promise.all(
      Array.from({ length: sent }, () =>
        fetch(`${mock.apiUrl}/api/v1/generate/record-info?taskId=missing`, {
          headers: { Authorization: "Bearer k" },
        }).then((r) => r.arrayBuffer()),
      ),
    );
    const requests = await mock.requests();
    assert.equal(requests.length, sent);
    // Numbers go on rising across a reset (a client paging with `since` misses nothing).
    const first = requests[0].seq;
    assert.deepEqual(
      requests.map((r) => r.seq),
      Array.from({ length: sent }, (_, i) => first + i),
    );
    await mock.assertRequested("/api/v1/generate/record-info", { times: sent });
    await assert.rejects(mock.assertRequested("/api/v1/generate/extend"), (error) =>
      error.message.startsWith(
        "expected /api/v1/generate/extend to be requested at least once, it was 0 time(s)\n" +
          `requests received:\n  ${first}. GET /api/v1/generate/record-info`,
      ),
    );
  });

  test("assertCallbackSequence fails with the journal", async () => {
    const taskId = await generate(mock, receiver.url);
    await mock.waitForCallback(taskId, "first");
    await assert.rejects(
      mock.assertCallbackSequence(taskId, ["text", "first", "complete"]),
      (error) =>
        error.message.startsWith(
          `callbacks for task ${taskId}: expected ["text","first","complete"], got ` +
            `["text","first"]\nrequests received:`,
        ) && error.message.includes(`  first #1 task ${taskId} -> HTTP 200`),
    );
  });

  test("reset forgets tasks and cancels what was pending", async () => {
    await generate(mock, receiver.url);
    await mock.reset();
    assert.deepEqual(await mock.tasks(), []);
    await mock.advance(3600);
    assert.deepEqual(receiver.types(), []);
  });

  test("probe judges a receiver with the server's seed", async () => {
    const report = await mock.probe(receiver.url, { only: ["sequence"] });
    assert.ok(report.ok, report.text);
    assert.equal(report.seed, 7);
    assert.deepEqual(receiver.types(), ["text", "first", "complete"]);
    assert.match(report.text, /^suno-mock probe http:\/\/127\.0\.0\.1/);
  });

  test("bad input to a helper is the control plane's clear refusal", async () => {
    await assert.rejects(mock.useScenario("copyright-violatoin"), (error) => {
      assert.ok(error instanceof ControlError);
      assert.equal(error.status, 400);
      assert.match(error.message, /copyright-violation/); // the nearest valid name
      return true;
    });
    await assert.rejects(mock.waitForCallback("t", "done"), /allowed: text, first, complete/);
  });
});

describe("attaching", () => {
  let mock;
  before(async () => {
    mock = await startMock({ command, token: "kit-token" });
  });
  after(() => mock?.stop());

  test("by URL and token; without the token the control plane refuses", async () => {
    const attached = attachMock(mock.url, { token: "kit-token" });
    assert.equal((await attached.clock()).now, START);
    await assert.rejects(SunoMock.attach(mock.url).clock(), (error) => {
      assert.ok(error instanceof ControlError);
      assert.equal(error.status, 401);
      return true;
    });
  });

  test("SUNO_MOCK_URL and SUNO_MOCK_TOKEN name the server", async () => {
    process.env.SUNO_MOCK_URL = mock.url;
    process.env.SUNO_MOCK_TOKEN = "kit-token";
    try {
      assert.equal(attachMock().url, mock.url);
      assert.equal((await attachMock().clock()).seed, 0);
    } finally {
      delete process.env.SUNO_MOCK_URL;
      delete process.env.SUNO_MOCK_TOKEN;
    }
  });

  test("stop on an attached mock leaves the server running", async () => {
    await attachMock(mock.url, { token: "kit-token" }).stop();
    assert.equal((await mock.clock()).paused, true);
  });
});

describe("starting", () => {
  test("a command that is not there says how to give one", async () => {
    await assert.rejects(startMock({ command: ["suno-mock-not-installed"] }), (error) =>
      error.message.includes("cannot start: not found. Install suno-mock-server"),
    );
  });

  test("a server that exits at once reports its stderr", async () => {
    await assert.rejects(startMock({ command, args: ["--seed", "many"] }), (error) =>
      /exited \(code 2\) before listening\n[\s\S]*--seed/.test(error.message),
    );
  });

  test("stop ends the process; a call after it says the server is gone", async () => {
    const mock = await startMock({ command });
    await mock.stop();
    await assert.rejects(mock.clock(), (error) => {
      const [first, ...log] = error.message.split("\n");
      assert.match(first, /^suno-mock \/__mock__\/clock: cannot reach http:\/\/127\.0\.0\.1:\d+: /);
      assert.match(first, /; the server exited \(code 0\)$/);
      assert.match(log.join("\n"), /shutting down/); // the server's stderr
      return true;
    });
  });
});
