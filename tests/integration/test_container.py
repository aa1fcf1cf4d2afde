"""The container image, built from the Dockerfile and run for real with Docker.

No public image registry is reachable on this project's machines, so the base image is made
locally by `.ci/base-image` (debootstrap; skipped when it exists) unless SUNO_MOCK_PYTHON_IMAGE
names one. `.ci/run` installs docker.io and debootstrap and starts dockerd. The container runs
on the host network bound to 127.0.0.1: every byte stays on loopback. Build and start times and
the image size go to test-artifacts/container.json.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest

from mock_server.media.duration import audio_duration
from mock_server.testing.receiver import CallbackReceiver
from tests.helpers import ROOT, Api, generate_body

pytestmark = pytest.mark.docker

ARTIFACTS = ROOT / "test-artifacts"
BASE_IMAGE_SCRIPT = ROOT / ".ci" / "base-image"


def _try(*argv: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)


def _run(*argv: str, timeout: float = 600) -> str:
    done = _try(*argv, timeout=timeout)
    if done.returncode:
        raise AssertionError(
            f"{' '.join(argv)} exited {done.returncode}:\n{done.stdout[-3000:]}"
            f"{done.stderr[-3000:]}"
        )
    return done.stdout


def _docker_problem() -> str | None:
    if shutil.which("docker") is None:
        return "no docker command"
    try:
        done = _try("docker", "info", "--format", "{{.ServerVersion}}", timeout=30)
    except subprocess.TimeoutExpired:
        return "`docker info` did not answer within 30 s"
    if done.returncode:
        return f"`docker info` failed: {done.stderr.strip() or done.stdout.strip()}"
    if "SUNO_MOCK_PYTHON_IMAGE" not in os.environ and shutil.which("debootstrap") is None:
        return "no debootstrap to make the local base image (or set SUNO_MOCK_PYTHON_IMAGE)"
    return None


PROBLEM = _docker_problem()
if PROBLEM:
    if os.environ.get("CI"):
        pytest.fail(
            f"CI must build and run the image, but {PROBLEM}: .ci/run installs docker.io and "
            "debootstrap and starts dockerd",
            pytrace=False,
        )
    pytest.skip(
        f"needs a running Docker engine and debootstrap ({PROBLEM}); "
        "apt-get install docker.io debootstrap, start dockerd; .ci/run does this",
        allow_module_level=True,
    )


async def docker(*argv: str) -> str:
    """Run a docker command without blocking the loop; its stdout, or raise with its output."""
    return await asyncio.to_thread(_run, "docker", *argv, timeout=120)


@dataclass
class Figures:
    """Timings and size of this run, written to test-artifacts/container.json."""

    values: dict[str, Any] = field(default_factory=dict)

    def save(self) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "container.json").write_text(json.dumps(self.values, indent=2) + "\n")


@pytest.fixture(scope="module")
def figures() -> Iterator[Figures]:
    found = Figures()
    yield found
    found.save()


@pytest.fixture(scope="module")
def built(figures: Figures) -> Iterator[Build]:
    """The image built from the Dockerfile on the local base, removed afterwards with every
    image the build made."""
    base = os.environ.get("SUNO_MOCK_PYTHON_IMAGE")
    if not base:
        started = time.perf_counter()
        base = _run(str(BASE_IMAGE_SCRIPT), timeout=900).strip().splitlines()[-1]
        figures.values["base_image_seconds"] = round(time.perf_counter() - started, 1)
    before = frozenset(_run("docker", "images", "--all", "--quiet", "--no-trunc").split())
    build = Build(uuid.uuid4().hex[:12], base, before)
    started = time.perf_counter()
    _run(
        "docker", "build", "--quiet", "--build-arg", f"PYTHON_IMAGE={base}", "--network", "host",
        "--build-arg", f"BUILD_LABEL={build.id}", "--tag", build.tag, str(ROOT),
    )  # fmt: skip
    figures.values["build_seconds"] = round(time.perf_counter() - started, 1)
    figures.values["base_image"] = base
    figures.values["image_bytes"] = int(
        _run("docker", "image", "inspect", "-f", "{{.Size}}", build.tag)
    )
    yield build
    build.remove()


def _chain(image: str) -> list[str]:
    """The image's id and its ancestors' (the classic builder keeps one image per step)."""
    ids = []
    while image:
        done = _try("docker", "image", "inspect", "--format", "{{.Id}} {{.Parent}}", image)
        if done.returncode:
            break
        found, _, image = done.stdout.strip().partition(" ")
        ids.append(found)
    return ids


@dataclass
class Build:
    """One `docker build` of the Dockerfile: its tag, and the builder stage's label."""

    id: str
    base: str
    before: frozenset[str] = frozenset()
    """The images there before the build (earlier builds' cached steps it may reuse)."""

    @property
    def tag(self) -> str:
        return f"suno-mock-test:{self.id}"

    @property
    def label(self) -> str:
        return f"label=org.suno-mock.builder={self.id}"

    def builder_images(self) -> list[str]:
        found = _run("docker", "images", "--all", "--quiet", "--no-trunc", "--filter", self.label)
        return found.split()

    def made(self) -> set[str]:
        """Every image this build made: the final one, the builder stage's, their layers (not
        the cached steps of an earlier build it reused)."""
        ours = _chain(self.tag) + [i for b in self.builder_images() for i in _chain(b)]
        return set(ours) - set(_chain(self.base)) - self.before

    def remove(self) -> None:
        _try("docker", "rmi", "--force", self.tag)
        _try("docker", "image", "prune", "--force", "--filter", self.label)


@pytest.fixture(scope="module")
def image(built: Build) -> str:
    return built.tag


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Container:
    name: str
    url: str

    async def logs(self) -> str:
        """What the container printed: the banner on stdout, log lines on stderr."""
        done = await asyncio.to_thread(_try, "docker", "logs", self.name)
        return f"{done.stdout}{done.stderr}"

    async def remove(self) -> None:
        await asyncio.to_thread(_try, "docker", "rm", "--force", self.name)

    async def state(self, template: str) -> str:
        return (await docker("inspect", "--format", template, self.name)).strip()


async def start_container(image: str, *env: str) -> tuple[Container, float]:
    """`docker run` on the host network, bound to 127.0.0.1 on a free port; the seconds until
    /__mock__/health answered."""
    port = _free_port()
    name = f"suno-mock-test-{uuid.uuid4().hex[:12]}"
    environment = ["SUNO_MOCK_HOST=127.0.0.1", f"SUNO_MOCK_PORT={port}", *env]
    started = time.perf_counter()
    await docker(
        "run", "--detach", "--name", name, "--network", "host",
        *(arg for pair in environment for arg in ("--env", pair)), image,
    )  # fmt: skip
    container = Container(name, f"http://127.0.0.1:{port}")
    deadline = started + 30
    async with aiohttp.ClientSession() as http:
        while True:
            try:
                async with http.get(f"{container.url}/__mock__/health") as resp:
                    if resp.status == 200:
                        return container, time.perf_counter() - started
            except aiohttp.ClientError:
                pass
            if time.perf_counter() > deadline:
                logs = await container.logs()
                await container.remove()
                raise AssertionError(f"no health answer in 30 s; logs:\n{logs}")
            await asyncio.sleep(0.05)


@pytest.fixture
async def container(image: str, figures: Figures) -> AsyncIterator[Container]:
    """The image running with mock time 100x faster: a task completes in 1.5 s."""
    running, seconds = await start_container(image, "SUNO_MOCK_TIME_SCALE=0.01")
    figures.values["start_seconds"] = round(seconds, 2)
    yield running
    await running.remove()


async def test_image_is_set_up_for_containers(image: str) -> None:
    config = json.loads(await docker("image", "inspect", "--format", "{{json .Config}}", image))

    assert config.get("User", "") not in ("", "root", "0", "0:0")
    assert {"SUNO_MOCK_HOST=0.0.0.0", "SUNO_MOCK_PORT=8080"} <= set(config["Env"])
    assert list(config["ExposedPorts"]) == ["8080/tcp"]
    assert config["Cmd"] == ["suno-mock", "serve"]
    assert "/__mock__/health" in " ".join(config["Healthcheck"]["Test"])
    # Runtime dependencies only: no dev extras, no pip, no compiler.
    found = await docker(
        "run", "--rm", "--network", "none", "--entrypoint", "python3", image, "-c",
        "import importlib.util as u, shutil; "
        "print([m for m in ('mypy', 'ruff', 'selenium', 'mutagen', 'pip', 'pytest', "
        "'pytest_asyncio', 'pytest_aiohttp', 'faker', 'aiohttp') "
        "if u.find_spec(m)], [c for c in ('gcc', 'cc') if shutil.which(c)])",
    )  # fmt: skip
    assert found.strip() == "['aiohttp'] []"


async def test_container_serves_a_task_its_callbacks_and_its_files(
    container: Container, callback_receiver: CallbackReceiver, http: aiohttp.ClientSession
) -> None:
    api = Api(http, container.url)
    task_id = await api.submit("/api/v1/generate", generate_body(callback_receiver.url))

    arrived = await callback_receiver.wait_for(3, timeout=30)
    info = await api.record_info(task_id)

    assert [r.callback_type for r in arrived] == ["text", "first", "complete"]
    assert {r.json["data"]["task_id"] for r in arrived} == {task_id}
    assert info["status"] == "SUCCESS"
    tracks = info["response"]["sunoData"]
    assert len(tracks) == 2
    audio_url = tracks[0]["audioUrl"]
    assert audio_url.startswith(container.url)
    async with http.get(audio_url) as resp:
        assert resp.status == 200
        assert resp.content_type == "audio/mpeg"
        audio = await resp.read()
    assert audio[:3] == b"ID3" or (audio[0] == 0xFF and audio[1] & 0xE0 == 0xE0)
    assert audio_duration(audio) == pytest.approx(tracks[0]["duration"], abs=0.1)
    # PID 1 of the container (suno-mock itself) runs as a non-root user.
    status = await docker("exec", container.name, "cat", "/proc/1/status")
    uid = next(line.split()[1] for line in status.splitlines() if line.startswith("Uid:"))
    assert uid != "0"
    assert "suno-mock" in await docker("exec", container.name, "cat", "/proc/1/cmdline")
    # The image's HEALTHCHECK (every 5 s) reports the container healthy.
    deadline = time.perf_counter() + 30
    while (health := await container.state("{{.State.Health.Status}}")) != "healthy":
        assert health == "starting", f"health {health}; logs:\n{await container.logs()}"
        assert time.perf_counter() < deadline, "not healthy within 30 s"
        await asyncio.sleep(0.2)


async def test_docker_stop_with_work_pending_exits_0(
    image: str, figures: Figures, callback_receiver: CallbackReceiver, http: aiohttp.ClientSession
) -> None:
    running, _ = await start_container(image)  # real time: the stages are minutes away
    try:
        api = Api(http, running.url)
        await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
        _, health = await api.get("/__mock__/health")
        assert health["pendingTimers"] > 0

        started = time.perf_counter()
        await docker("stop", "--time", "10", running.name)
        figures.values["stop_seconds"] = round(time.perf_counter() - started, 2)

        # SIGKILL after the 10 s grace period would leave 137; SIGTERM handled leaves 0.
        assert await running.state("{{.State.ExitCode}}") == "0"
        logs = await running.logs()
        cancelled = re.search(r"cancelling (\d+) pending", logs)
        assert cancelled, logs
        assert int(cancelled[1]) > 0
        assert "suno-mock-server stopped" in logs
        assert callback_receiver.requests == []
    finally:
        await running.remove()


def test_removing_the_build_leaves_none_of_its_images(built: Build) -> None:
    """Last in this module: the images the build made, the untagged builder stage's included,
    are all gone after the removal the fixture also does at teardown."""
    made = built.made()
    assert built.builder_images(), "the builder stage's image carries no build label"
    assert len(made) >= 2

    built.remove()

    left = set(_run("docker", "images", "--all", "--quiet", "--no-trunc").split())
    assert sorted(made & left) == []
    assert _chain(built.base), "the base image is kept for the next build"
