"""The dashboard in a real headless Chromium (Debian's chromium + chromium-driver; .ci/run
installs them): a task appears, moves through its stages, shows its attempts; controls work."""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from collections.abc import AsyncIterator, Callable
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from mock_server import ManualClock
from mock_server.testing import SunoMock
from mock_server.testing.receiver import CallbackReceiver
from tests.helpers import ROOT, Api, generate_body

# These tests load the control plane with many tasks: the submit rate limit is off.
pytestmark = pytest.mark.suno_mock(rate_limit="off")


CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
ARTIFACTS = ROOT / "test-artifacts"

if not (CHROMIUM and DRIVER):
    if os.environ.get("CI"):
        pytest.fail(
            "CI must run the browser test: .ci/run installs chromium and chromium-driver",
            pytrace=False,
        )
    pytest.skip(
        "needs Debian's chromium and chromium-driver (apt-get install chromium "
        "chromium-driver; .ci/run does this)",
        allow_module_level=True,
    )

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1400,1000",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(flag)
    driver = await asyncio.to_thread(
        webdriver.Chrome, service=Service(executable_path=str(DRIVER)), options=options
    )
    try:
        yield driver
    finally:
        await asyncio.to_thread(driver.quit)


async def until(check: Callable[[], Any], what: str, within: float = 15.0) -> Any:
    """Poll `check` (in a thread: the server shares this loop) until it returns truthy."""
    deadline = time.monotonic() + within
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = await asyncio.to_thread(check)
        except Exception as err:  # the page may be mid-render
            last = err
        if last:
            return last
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}; last saw {last!r}")


def click(driver: WebDriver, selector: str) -> bool:
    """Find and click in one go: the live page re-renders, so a found element can go stale."""
    driver.find_element(By.CSS_SELECTOR, selector).click()
    return True


def has_text(driver: WebDriver, selector: str, wanted: str) -> bool:
    return text(driver, selector) == wanted


def text(driver: WebDriver, selector: str) -> str:
    found = driver.find_elements(By.CSS_SELECTOR, selector)
    return found[0].text if found else ""


async def test_dashboard_follows_a_task_and_its_controls_work(
    browser: WebDriver, suno_mock: SunoMock, api: Api, callback_receiver: CallbackReceiver
) -> None:
    await asyncio.to_thread(browser.get, f"{suno_mock.url}/__mock__/")
    await until(lambda: text(browser, "#live") == "live", "the event stream")
    assert await asyncio.to_thread(lambda: browser.title) == "suno-mock-server"

    task_id = await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
    row = f'tr.task[data-task-id="{task_id}"]'
    await until(lambda: text(browser, f"{row} .status") == "PENDING", "the new task row")

    def open_task() -> bool:
        if text(browser, "#detail-status") == "PENDING":
            return True
        click(browser, row)  # again, if a re-render swallowed the last click
        return False

    await until(open_task, "the task detail")

    # Advance the (manual) clock from the page: the task walks its stages, live.
    def advance() -> None:
        field = browser.find_element(By.CSS_SELECTOR, "#advance-by")
        field.clear()
        field.send_keys("150")
        browser.find_element(By.CSS_SELECTOR, "#advance").click()

    await asyncio.to_thread(advance)
    await until(lambda: text(browser, "#detail-status") == "SUCCESS", "SUCCESS in the detail")
    await until(lambda: text(browser, f"{row} .status") == "SUCCESS", "SUCCESS in the list")
    attempts = await until(
        lambda: [
            (cell.get_attribute("data-stage"), cell.text)
            for cell in browser.find_elements(By.CSS_SELECTOR, "#attempts tr.attempt")
        ],
        "the delivery attempts",
    )
    assert [stage for stage, _ in attempts] == ["text", "first", "complete"]
    assert all("delivered" in line and "200" in line for _, line in attempts)
    assert len(callback_receiver.requests) == 3

    ARTIFACTS.mkdir(exist_ok=True)
    await asyncio.to_thread(browser.save_screenshot, str(ARTIFACTS / "dashboard.png"))

    # Re-send a stage from the page: the receiver gets the complete callback again.
    await until(lambda: click(browser, 'button.resend[data-stage="complete"]'), "re-send")
    await until(lambda: len(callback_receiver.requests) == 4, "the re-sent callback")
    assert callback_receiver.requests[-1].raw == callback_receiver.requests[2].raw

    # Queue a scenario from the page: the next submit is answered with its code.
    def queue_maintenance() -> None:
        Select(browser.find_element(By.CSS_SELECTOR, "#scenario")).select_by_visible_text(
            "maintenance"
        )
        browser.find_element(By.CSS_SELECTOR, "#queue").click()

    await asyncio.to_thread(queue_maintenance)
    await until(lambda: "queued: maintenance" in text(browser, "#scenario-state"), "the queue")
    _, envelope = await api.post("/api/v1/generate", generate_body(callback_receiver.url))
    assert envelope["code"] == 455
    await until(lambda: "System maintenance." in text(browser, "#request-log"), "the request log")

    # Reset from the page: the list empties.
    await until(lambda: click(browser, "#reset"), "a click on reset")
    await until(lambda: text(browser, "#tasks") == "no tasks yet", "the reset")
    assert suno_mock.tasks() == []


async def test_dashboard_follows_events_with_deltas_not_the_whole_list(
    browser: WebDriver, suno_mock: SunoMock, api: Api, callback_receiver: CallbackReceiver
) -> None:
    await asyncio.to_thread(browser.get, f"{suno_mock.url}/__mock__/")
    await until(lambda: text(browser, "#live") == "live", "the event stream")
    await asyncio.to_thread(browser.execute_script, "performance.setResourceTimingBufferSize(1e5)")

    ids = [
        await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
        for _ in range(30)
    ]
    clock = suno_mock.clock
    assert isinstance(clock, ManualClock)
    await clock.advance(150)  # 30 tasks x (created, 3 stages, 3 deliveries): ~200 events
    for task_id in (ids[0], ids[-1]):
        status = f'tr.task[data-task-id="{task_id}"] .status'
        await until(partial(has_text, browser, status, "SUCCESS"), f"SUCCESS of {task_id}")

    fetched = await asyncio.to_thread(
        browser.execute_script,
        "return performance.getEntriesByType('resource').map((e) => e.name)",
    )
    lists = [urlsplit(u) for u in fetched if "/__mock__/tasks" in u or "/__mock__/requests" in u]
    assert lists, fetched
    # Every list fetch asks for a page: new items after a cursor, or changed tasks by id;
    # the newest page as a whole at most on (re)connecting.
    assert all("limit=" in u.query or "ids=" in u.query for u in lists), lists
    assert sum("since=" not in u.query and "ids=" not in u.query for u in lists) <= 4, lists


def visible_rows(driver: WebDriver) -> int:
    """Task rows whole on the first screen (no scrolling)."""
    return int(
        driver.execute_script(
            "return [...document.querySelectorAll('#tasks tr.task')]"
            ".filter((r) => r.getBoundingClientRect().bottom <= window.innerHeight).length"
        )
    )


def choose(driver: WebDriver, selector: str, value: str) -> None:
    Select(driver.find_element(By.CSS_SELECTOR, selector)).select_by_value(value)


async def test_dashboard_scales_to_200_tasks_with_filters_and_search(
    browser: WebDriver, suno_mock: SunoMock, api: Api, callback_receiver: CallbackReceiver
) -> None:
    ids = []
    for n in range(200):
        if n % 10 == 0:
            suno_mock.next_task(scenario="copyright-violation")
        ids.append(await api.submit("/api/v1/generate", generate_body(callback_receiver.url)))
    assert isinstance(suno_mock.clock, ManualClock)
    await suno_mock.clock.advance(150)
    await asyncio.to_thread(browser.get, f"{suno_mock.url}/__mock__/")
    await until(lambda: text(browser, "#live") == "live", "the event stream")
    count = partial(browser.find_elements, By.CSS_SELECTOR, "#tasks tr.task")
    await until(lambda: len(count()) == 200, "200 task rows")
    await until(lambda: "SUCCESS" in text(browser, "#tasks"), "the finished tasks")

    ARTIFACTS.mkdir(exist_ok=True)
    await asyncio.to_thread(browser.save_screenshot, str(ARTIFACTS / "dashboard-200-tasks.png"))
    assert await asyncio.to_thread(visible_rows, browser) >= 25
    heights = await asyncio.to_thread(
        browser.execute_script,
        "return [...document.querySelectorAll('#tasks tr.task')].map((r) => r.offsetHeight)",
    )
    assert max(heights) < 30, "a row (its date included) fits on one line"
    scheme = await asyncio.to_thread(
        browser.execute_script, "return getComputedStyle(document.documentElement).colorScheme"
    )
    assert scheme == "dark"  # the browser draws dark scrollbars
    icon = await asyncio.to_thread(browser.find_element, By.CSS_SELECTOR, "link[rel=icon]")
    assert str(icon.get_attribute("href")).startswith("data:image/svg+xml")

    # Filters: by status, then by scenario; the search by id finds one task.
    await asyncio.to_thread(choose, browser, "#filter-status", "GENERATE_AUDIO_FAILED")
    await until(lambda: len(count()) == 20, "the failed tasks alone")
    await asyncio.to_thread(choose, browser, "#filter-status", "")
    await asyncio.to_thread(choose, browser, "#filter-scenario", "copyright-violation")
    await until(lambda: len(count()) == 20, "the tasks of one scenario")
    await asyncio.to_thread(choose, browser, "#filter-scenario", "")
    field = await asyncio.to_thread(browser.find_element, By.CSS_SELECTOR, "#search")
    await asyncio.to_thread(field.send_keys, ids[7][:10])
    await until(lambda: len(count()) == 1, "the searched task")

    # The detail header spells the id as the API does (not upper-cased by the h2's style).
    def open_task() -> bool:
        if ids[7] in text(browser, "#detail h2"):
            return True
        click(browser, f'tr.task[data-task-id="{ids[7]}"]')  # again, if a re-render took it
        return False

    await until(open_task, "the id as the API spells it (not upper-cased)")

    # The scenario list offers "none", shows the active default, and Reset restores it.
    assert (
        await asyncio.to_thread(
            lambda: (
                Select(
                    browser.find_element(By.CSS_SELECTOR, "#scenario")
                ).first_selected_option.text
            )
        )
        == "none (plain success)"
    )
    suno_mock.use_scenario("audio-conflict")
    await until(lambda: click(browser, "#reset"), "a click on reset")
    await until(lambda: text(browser, "#tasks") == "no tasks yet", "the reset")
    await until(lambda: "default: none" in text(browser, "#scenario-state"), "the default gone")
    assert suno_mock.engine.scenarios.default is None
