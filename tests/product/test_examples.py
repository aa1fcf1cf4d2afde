"""The examples in examples/ stay consistent with the mock: every SUNO_MOCK_* variable they set is
a real `suno-mock serve` setting, and the addresses line up (the app's callback host is on the
allow-list, file URLs point at the mock as the app reaches it). The examples themselves run
elsewhere: the Node tests in .ci/node-kit (which .ci/run runs), the image in
tests/integration/test_container.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from mock_server.cli import ENV_PREFIX, build_parser
from tests.helpers import ROOT

EXAMPLES = ROOT / "examples"


def serve_variables() -> set[str]:
    _, serve = build_parser()
    return {
        ENV_PREFIX + action.option_strings[-1].lstrip("-").replace("-", "_").upper()
        for action in serve._actions
        if action.option_strings and action.dest != "help"
    }


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def mock_variables(env: dict[str, str]) -> set[str]:
    return {name for name in env if name.startswith(ENV_PREFIX)}


def test_compose_example_wires_the_app_and_the_mock() -> None:
    folder = EXAMPLES / "compose"
    services = load(folder / "compose.yaml")["services"]
    mock, app = services["suno-mock"], services["app"]

    assert (folder / mock["build"]["context"] / "Dockerfile").resolve() == ROOT / "Dockerfile"
    assert (folder / app["build"]["context"] / "Dockerfile").is_file()
    assert mock_variables(mock["environment"]) <= serve_variables()
    allowed = mock["environment"]["SUNO_MOCK_ALLOW_CALLBACK_HOST"].split(",")
    assert urlsplit(app["environment"]["PUBLIC_URL"]).hostname in allowed
    assert urlsplit(app["environment"]["PUBLIC_URL"]).hostname in services
    public_base = urlsplit(mock["environment"]["SUNO_MOCK_PUBLIC_BASE_URL"])
    assert public_base.hostname == "suno-mock"
    assert public_base.port == 8080
    assert urlsplit(app["environment"]["SUNO_API_URL"]).netloc == public_base.netloc
    assert app["depends_on"]["suno-mock"]["condition"] == "service_healthy"


def test_ci_services_snippet_calls_back_to_an_allowed_host() -> None:
    (job,) = load(EXAMPLES / "ci" / "github-actions.yml")["jobs"].values()
    (service,) = job["services"].values()
    (test_step,) = [step for step in job["steps"] if "node --test" in step.get("run", "")]

    assert mock_variables(service["env"]) <= serve_variables()
    callback_host = urlsplit(test_step["env"]["APP_PUBLIC_URL"]).hostname
    assert callback_host == service["env"]["SUNO_MOCK_ALLOW_CALLBACK_HOST"]
    assert f"--add-host={callback_host}:host-gateway" in service["options"]
    assert (ROOT / test_step["run"].split()[-1]).is_file()


def test_node_example_scripts_name_its_files() -> None:
    folder = EXAMPLES / "node"
    package = json.loads((folder / "package.json").read_text())

    assert (folder / package["main"]).is_file()
    assert (folder / package["scripts"]["test"].split()[-1]).is_file()
    assert "node --test examples/node/app.test.mjs" in (ROOT / ".ci" / "node-kit").read_text()
    assert ".ci/node-kit" in (ROOT / ".ci" / "run").read_text()
