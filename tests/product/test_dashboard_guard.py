"""The control plane's guard in a real headless Chromium: a page on another origin cannot
drive the mock, and the dashboard opened with its token works (same browser set-up as
test_dashboard.py, whose fixtures and helpers this module uses)."""

from __future__ import annotations

import asyncio

import aiohttp
from aiohttp import web
from selenium.webdriver.remote.webdriver import WebDriver

from mock_server.http.listener import Listener
from mock_server.testing import SunoMock
from mock_server.testing.receiver import CallbackReceiver
from tests.helpers import Api, SunoMockFactory, generate_body
from tests.product.test_dashboard import browser, click, text, until

__all__ = ["browser"]  # the fixture, shared with test_dashboard.py


class AttackerSite(Listener):
    """A page on another origin (another loopback port) that tries to drive the mock."""

    def __init__(self, target: str) -> None:
        super().__init__("127.0.0.1", 0)
        self.target = target

    def build_app(self) -> web.Application:
        page = f"""<!doctype html><title>loading</title><script>
        const post = (path, body) => fetch("{self.target}" + path, {{method: "POST",
          mode: "no-cors", headers: {{"Content-Type": "text/plain"}}, body}});
        Promise.allSettled([post("/__mock__/reset", "{{}}"),
          post("/__mock__/scenario", JSON.stringify({{default: "maintenance"}})),
          fetch("{self.target}/__mock__/requests").then((r) => r.text())])
          .then((results) => {{ document.title = results.map((r) => r.status).join(","); }});
        </script>"""

        async def index(_: web.Request) -> web.Response:
            return web.Response(text=page, content_type="text/html")

        app = web.Application()
        app.router.add_get("/", index)
        return app


async def test_a_page_on_another_origin_cannot_drive_the_mock(
    browser: WebDriver, suno_mock: SunoMock, api: Api, callback_receiver: CallbackReceiver
) -> None:
    task_id = await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
    async with AttackerSite(suno_mock.url) as site:
        await asyncio.to_thread(browser.get, site.url + "/")
        # The two no-cors posts reached the mock (fulfilled, opaque); reading was refused.
        title = await until(
            lambda: browser.title if browser.title != "loading" else "", "the attack to finish"
        )
    assert title == "fulfilled,fulfilled,rejected"
    assert [t.id for t in suno_mock.tasks()] == [task_id]  # not reset
    assert suno_mock.engine.scenarios.default is None  # not switched


async def test_the_dashboard_opened_with_its_token(
    browser: WebDriver, suno_mock_factory: SunoMockFactory, callback_receiver: CallbackReceiver
) -> None:
    server = await suno_mock_factory(control_token="dash-token")  # noqa: S106
    await asyncio.to_thread(browser.get, f"{server.url}/__mock__/")
    assert "missing or wrong token" in await asyncio.to_thread(lambda: browser.page_source)
    await asyncio.to_thread(browser.get, f"{server.url}/__mock__/?token=dash-token")
    await until(lambda: text(browser, "#live") == "live", "the event stream")
    address = await asyncio.to_thread(lambda: browser.current_url)
    assert address == f"{server.url}/__mock__/"  # the token is not left in the address bar
    async with aiohttp.ClientSession(headers={"Authorization": "Bearer k"}) as http:
        task_id = await Api(http, server.url).submit(
            "/api/v1/generate", generate_body(callback_receiver.url)
        )
    row = f'tr.task[data-task-id="{task_id}"]'
    await until(lambda: text(browser, f"{row} .status") == "PENDING", "the new task row")
    await until(lambda: click(browser, "#reset"), "a click on reset")
    await until(lambda: text(browser, "#tasks") == "no tasks yet", "the reset")
