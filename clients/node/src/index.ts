/**
 * suno-mock-server-kit: the pytest plugin's helpers for Node test suites.
 *
 * Start a mock (`suno-mock serve` on a free loopback port with a manual clock and a seed) or
 * attach to a running one by URL, then drive it over its control plane (`/__mock__/`): waits
 * that move the manual clock timer by timer until a callback or a status comes (never a sleep),
 * scenarios per test, the journal of requests and callback attempts, reset/restore, probe.
 * No runtime dependency: Node >= 20's fetch and child_process.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

export type CallbackType =
  | "text"
  | "first"
  | "complete"
  | "error"
  | "validate"
  | "regenerate"
  | "generate";

export type TaskStatus =
  | "PENDING"
  | "TEXT_SUCCESS"
  | "FIRST_SUCCESS"
  | "SUCCESS"
  | "CREATE_TASK_FAILED"
  | "GENERATE_AUDIO_FAILED"
  | "CALLBACK_EXCEPTION"
  | "SENSITIVE_WORD_ERROR";

/** One POST of a callback to the receiver (or the decision not to send it). */
export interface Attempt {
  number: number;
  scheduledAt: number;
  startedAt: number;
  outcome: "in_flight" | "delivered" | "failed" | "blocked" | "cancelled";
  /** The receiver's HTTP status; null when it did not answer. */
  status: number | null;
  error: string | null;
  latencyMs: number | null;
  heldUpMs: number | null;
  responseBody: string | null;
}

/** One callback of a task and every attempt to deliver it. */
export interface Delivery {
  id: number;
  taskId: string;
  callbackType: CallbackType;
  url: string;
  state: "pending" | "delivered" | "exhausted" | "blocked" | "cancelled" | "dropped";
  nextAttemptAt: number | null;
  /** The callback's JSON body, as sent. */
  payload: unknown;
  attempts: Attempt[];
}

/** One API request the mock received and the answer it gave. */
export interface RequestRecord {
  seq: number;
  at: number;
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  httpStatus: number;
  /** The envelope's `code` (the API answers business errors with HTTP 200). */
  code: number | null;
  response: unknown;
}

export interface TaskSummary {
  taskId: string;
  number: number;
  operationType: string;
  model: string | null;
  status: TaskStatus;
  stage: string | null;
  callBackUrl: string | null;
  createTime: number;
  scenario: string | null;
  deliveries: number;
}

export interface TaskDetail extends Omit<TaskSummary, "deliveries"> {
  request: unknown;
  history: { at: number; event: string }[];
  /** What GET /api/v1/generate/record-info answers for this task now. */
  recordInfo: Record<string, unknown>;
  deliveries: Delivery[];
}

export interface ClockState {
  /** Mock time, epoch seconds. */
  now: number;
  paused: boolean;
  seed: number;
}

export interface ScenarioState {
  bundled: string[];
  default: string | null;
  queued: string[];
  rules: string[];
}

export interface ProbeReport {
  url: string;
  seed: number;
  timeout: number;
  budget: number;
  signed: boolean;
  /** False when any case failed (warnings do not fail). */
  ok: boolean;
  summary: { pass: number; warn: number; fail: number; skip: number };
  cases: {
    name: string;
    description: string;
    verdict: "pass" | "warn" | "fail" | "skip";
    reasons: string[];
    callbacks: unknown[];
  }[];
  /** The readable report, as `suno-mock probe` prints it. */
  text: string;
}

export interface WaitOptions {
  /** Mock seconds the clock may move forward before the wait gives up (default 3600). */
  within?: number;
}

export interface StartOptions {
  /**
   * The command that runs suno-mock-server, before `serve` (default: SUNO_MOCK_COMMAND split on
   * spaces, else `suno-mock`), e.g. `["python3", "-m", "mock_server"]`.
   */
  command?: string[];
  /** Seed of generated ids, titles and payloads (default 0). */
  seed?: number;
  /** Default scenario for every task (bundled name or path); none: plain success. */
  scenario?: string;
  /** More `serve` flags, e.g. `["--api-key", "k", "--callback-timeout", "2"]`. */
  args?: string[];
  /** Extra environment for the server (SUNO_MOCK_* variables configure it too). */
  env?: Record<string, string>;
  cwd?: string;
  /** Real milliseconds to wait for the server's "listening on" line (default 30000). */
  startTimeoutMs?: number;
  /** A control token to require (`--control-token`); the kit sends it. */
  token?: string;
}

export interface AttachOptions {
  /** The control token (X-Suno-Mock-Token) of a server bound off loopback, e.g. a container. */
  token?: string;
}

/** The control plane refused a request (its HTTP status and message). */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    readonly path: string,
    message: string,
  ) {
    super(`suno-mock ${path}: HTTP ${status}: ${message}`);
    this.name = "ControlError";
  }
}

interface WaitAnswer {
  reached: boolean;
  reason: string | null;
  taskId: string;
  now: number;
  task: TaskSummary | null;
  delivery: Delivery | null;
  journal: string | null;
}

const DEFAULT_START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
const STDERR_KEPT = 16_384;
const PAGE = 200;
const LISTENING = /listening on (http:\/\/\S+)/;

/** Servers this process started: stopped when it exits, so no test run leaves one behind. */
const started = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of started) child.kill("SIGKILL");
});

function defaultCommand(): string[] {
  const configured = process.env.SUNO_MOCK_COMMAND?.trim();
  return configured ? configured.split(/\s+/) : ["suno-mock"];
}

/** A suno-mock-server, started by this process or attached to by URL. */
export class SunoMock {
  /** Base URL of the API and the control plane, e.g. http://127.0.0.1:43817. */
  readonly url: string;
  readonly token: string | undefined;
  private readonly child: ChildProcess | undefined;
  private readonly stderr: () => string;

  private constructor(url: string, token?: string, child?: ChildProcess, stderr?: () => string) {
    this.url = url.replace(/\/+$/, "");
    this.token = token;
    this.child = child;
    this.stderr = stderr ?? (() => "");
  }

  /**
   * Start `suno-mock serve` on 127.0.0.1, a free port, a manual clock and `seed`; resolves once
   * it prints its "listening on" line. Stop it with `stop()` (an `after` hook).
   */
  static async start(options: StartOptions = {}): Promise<SunoMock> {
    const [program, ...prefix] = options.command ?? defaultCommand();
    if (!program) throw new Error("suno-mock-server-kit: `command` is empty");
    const args = [
      ...prefix,
      "serve",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--manual-clock",
      "--seed",
      String(options.seed ?? 0),
      ...(options.scenario ? ["--scenario", options.scenario] : []),
      ...(options.token ? ["--control-token", options.token] : []),
      ...(options.args ?? []),
    ];
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    started.add(child);
    let stderr = "";
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_KEPT);
    });
    try {
      const url = await listening(
        child,
        [program, ...args].join(" "),
        options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
        () => stderr,
      );
      const mock = new SunoMock(url, options.token, child, () => stderr);
      // The server's first answer costs a few hundred ms (lazy imports): paid here, at start-up,
      // not by the first test.
      await mock.clock();
      return mock;
    } catch (error) {
      child.kill("SIGKILL");
      started.delete(child);
      throw error;
    }
  }

  /**
   * Use a server that runs already (the dev server, a container): `url` defaults to
   * SUNO_MOCK_URL, `token` to SUNO_MOCK_TOKEN. Waits and restore need it started with
   * `--manual-clock`; the rest works on any server.
   */
  static attach(url?: string, options: AttachOptions = {}): SunoMock {
    const base = url ?? process.env.SUNO_MOCK_URL;
    if (!base) throw new Error("SunoMock.attach: give a URL or set SUNO_MOCK_URL");
    return new SunoMock(base, options.token ?? process.env.SUNO_MOCK_TOKEN);
  }

  /** The base URL a client of the real API is pointed at (the same as `url`). */
  get apiUrl(): string {
    return this.url;
  }

  /** What the started server wrote on stderr lately (its log), for diagnostics. */
  get log(): string {
    return this.stderr();
  }

  /** Stop a started server (SIGTERM, then SIGKILL after 10 s); nothing for an attached one. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    started.delete(child);
  }

  /**
   * Advance the manual clock timer by timer until `taskId`'s `type` callback has been attempted;
   * resolves with that delivery (its attempts hold your receiver's answers). Throws an Error
   * with the requests received and every callback attempt when it does not come.
   */
  async waitForCallback(
    taskId: string,
    type: CallbackType,
    options: WaitOptions = {},
  ): Promise<Delivery> {
    const answer = await this.wait({ taskId, callbackType: type, within: options.within });
    if (!answer.delivery) throw new Error("suno-mock: a reached callback wait without delivery");
    return answer.delivery;
  }

  /** Advance the manual clock until the task's record-info status is `status`; the task. */
  async waitForStatus(
    taskId: string,
    status: TaskStatus,
    options: WaitOptions = {},
  ): Promise<TaskDetail> {
    await this.wait({ taskId, status, within: options.within });
    return this.task(taskId);
  }

  private async wait(body: Record<string, unknown>): Promise<WaitAnswer> {
    const answer = await this.call<WaitAnswer>("POST", "/__mock__/wait", body);
    if (!answer.reached) throw new Error(`${answer.reason}\n${answer.journal}`);
    return answer;
  }

  /** Move the manual clock forward `seconds`, firing every timer due on the way. */
  async advance(seconds: number): Promise<ClockState> {
    return this.call<ClockState>("POST", "/__mock__/clock", { advance: seconds });
  }

  async clock(): Promise<ClockState> {
    return this.call<ClockState>("GET", "/__mock__/clock");
  }

  /** Every callback (of one task, or all), oldest first, with its attempts. */
  async deliveries(taskId?: string): Promise<Delivery[]> {
    const filter = taskId === undefined ? "" : `taskId=${encodeURIComponent(taskId)}&`;
    return this.pages<Delivery>("deliveries", `/__mock__/deliveries?${filter}`);
  }

  /** Every API request the mock received, oldest first, with the answer it gave. */
  async requests(): Promise<RequestRecord[]> {
    return this.pages<RequestRecord>("requests", "/__mock__/requests?");
  }

  async tasks(): Promise<TaskSummary[]> {
    return this.pages<TaskSummary>("tasks", "/__mock__/tasks?");
  }

  async task(taskId: string): Promise<TaskDetail> {
    return this.call<TaskDetail>("GET", `/__mock__/tasks/${encodeURIComponent(taskId)}`);
  }

  /** Run every following task under this scenario (null: plain success). */
  async useScenario(name: string | null): Promise<ScenarioState> {
    return this.call<ScenarioState>("POST", "/__mock__/scenario", { default: name });
  }

  /** Run only the next task under `scenario` (queued ones go first, in order). */
  async nextTask(options: { scenario: string }): Promise<ScenarioState> {
    return this.call<ScenarioState>("POST", "/__mock__/scenario", { next: options.scenario });
  }

  /** Forget every task, request and delivery; cancel pending callbacks; restore credits. */
  async reset(): Promise<void> {
    await this.call("POST", "/__mock__/reset", {});
  }

  /**
   * `reset()`, the manual clock back to its start and the default scenario back to the
   * configured one: the same requests then get the same ids and bytes (a `beforeEach` hook).
   */
  async restore(): Promise<void> {
    await this.call("POST", "/__mock__/restore", {});
  }

  /**
   * Fire the `suno-mock probe` battery at your callback endpoint with this server's settings;
   * `assert.ok(report.ok, report.text)`. Real time: your receiver answers in real time.
   */
  async probe(
    url: string,
    options: { only?: string[]; budget?: number } = {},
  ): Promise<ProbeReport> {
    return this.call<ProbeReport>("POST", "/__mock__/probe", { url, ...options });
  }

  /** What the mock saw and did: requests received, callbacks attempted (of one task). */
  async describe(taskId?: string): Promise<string> {
    const query = taskId === undefined ? "" : `?taskId=${encodeURIComponent(taskId)}`;
    return this.call<string>("GET", `/__mock__/journal${query}`);
  }

  /** The task's callbacks, in the order they were sent, are exactly `expected`. */
  async assertCallbackSequence(taskId: string, expected: CallbackType[]): Promise<void> {
    const actual = (await this.deliveries(taskId)).map((d) => d.callbackType);
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      throw new Error(
        `callbacks for task ${taskId}: expected ${JSON.stringify(expected)}, got ` +
          `${JSON.stringify(actual)}\n${await this.describe(taskId)}`,
      );
    }
  }

  /** `path` (e.g. /api/v1/generate/extend) was requested (exactly `times` times, if given). */
  async assertRequested(path: string, options: { times?: number } = {}): Promise<void> {
    const count = (await this.requests()).filter((r) => r.path === path).length;
    const { times } = options;
    if ((times === undefined && count === 0) || (times !== undefined && count !== times)) {
      const wanted = times === undefined ? "at least once" : `${times} time(s)`;
      throw new Error(
        `expected ${path} to be requested ${wanted}, it was ${count} time(s)\n` +
          (await this.describe()),
      );
    }
  }

  private unreachable(error: unknown): string {
    const cause = (error as { cause?: { message?: string } }).cause?.message ?? String(error);
    const child = this.child;
    if (!child || (child.exitCode === null && child.signalCode === null)) return cause;
    const log = this.stderr().trim();
    return `${cause}; the server exited (${child.signalCode ?? `code ${child.exitCode}`})` +
      (log ? `\n${log}` : "");
  }

  private async pages<T>(key: string, path: string): Promise<T[]> {
    const items: T[] = [];
    let since = 0;
    for (;;) {
      const page = await this.call<Record<string, unknown>>(
        "GET",
        `${path}since=${since}&limit=${PAGE}`,
      );
      items.push(...(page[key] as T[]));
      if (!page.more) return items;
      since = page.next as number;
    }
  }

  private async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.token) headers["X-Suno-Mock-Token"] = this.token;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(this.url + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new Error(`suno-mock ${path}: cannot reach ${this.url}: ${this.unreachable(error)}`);
    }
    const text = await response.text();
    const json = (response.headers.get("content-type") ?? "").includes("json");
    if (!response.ok) {
      let message = text;
      if (json) {
        const parsed = JSON.parse(text) as { msg?: string };
        message = parsed.msg ?? text;
      }
      throw new ControlError(response.status, path.split("?")[0] ?? path, message);
    }
    return (json ? JSON.parse(text) : text) as T;
  }
}

/** `SunoMock.start(options)`. */
export function startMock(options?: StartOptions): Promise<SunoMock> {
  return SunoMock.start(options);
}

/** `SunoMock.attach(url, options)`. */
export function attachMock(url?: string, options?: AttachOptions): SunoMock {
  return SunoMock.attach(url, options);
}

function listening(
  child: ChildProcess,
  commandLine: string,
  timeoutMs: number,
  stderr: () => string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const fail = (why: string): void => {
      clearTimeout(timer);
      lines.close();
      const log = stderr().trim();
      reject(new Error(`suno-mock-server-kit: \`${commandLine}\` ${why}${log ? `\n${log}` : ""}`));
    };
    const timer = setTimeout(
      () => fail(`printed no "listening on" line within ${timeoutMs} ms`),
      timeoutMs,
    );
    child.once("error", (error: NodeJS.ErrnoException) => {
      const hint =
        error.code === "ENOENT"
          ? ": not found. Install suno-mock-server (pip install suno-mock-server), or give " +
            'the command: { command: ["python3", "-m", "mock_server"] } or SUNO_MOCK_COMMAND'
          : `: ${error.message}`;
      fail(`cannot start${hint}`);
    });
    child.once("exit", (code, signal) =>
      fail(`exited (${signal ?? `code ${code}`}) before listening`),
    );
    lines.on("line", (line) => {
      const url = LISTENING.exec(line)?.[1];
      if (url) {
        clearTimeout(timer);
        child.removeAllListeners("exit");
        child.removeAllListeners("error");
        lines.removeAllListeners("line");
        lines.on("line", () => {}); // keep reading, so the server never blocks on a full pipe
        resolve(url);
      }
    });
  });
}
