"""The scenario file format: what loads, and the exact error text for what does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from mock_server.cli import main
from mock_server.core.errors import ScenarioError
from mock_server.scripting.scenario import (
    bundled_names,
    load_scenario,
    parse_duration,
)
from mock_server.scripting.script import ScenarioLibrary


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (30, 30.0),
        (1.5, 1.5),
        ("90s", 90.0),
        ("2m", 120.0),
        ("1.5h", 5400.0),
        ("500ms", 0.5),
        ("45", 45.0),
        (" 3 m ", 180.0),
    ],
)
def test_durations(value: object, seconds: float) -> None:
    assert parse_duration(value) == seconds


@pytest.mark.parametrize("value", ["5x", "-3s", "", True, None, [1]])
def test_bad_durations(value: object) -> None:
    with pytest.raises(ValueError, match="expected a duration like 30, 90s, 2m"):
        parse_duration(value)


def test_a_full_scenario_loads(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
version: 1
description: everything at once
match: {operation: [generate, extend], model: V4, prompt_contains: rain}
stages: {text: 10s, first: 1m}
error: {after: 2m, code: 501, msg: boom, status: GENERATE_AUDIO_FAILED, data: empty_list}
delivery: {retry_delays: [1s, 2s], timeout: 3s, duplicate: text, drop: [first],
           late: {text: 5s}, malformed: [error]}
api: {latency: 50ms, times: 2}
payload: {title: T, tags: x, durations: [10, 20.5], tracks: 3, text_tracks: true,
          create_time: string}
""",
        "full.yaml",
    )
    scenario = load_scenario(path)
    assert scenario.name == "full"
    assert scenario.stages == {"text": 10.0, "first": 60.0}
    assert scenario.delivery.duplicate == ["text"]
    assert scenario.delivery.late == {"text": 5.0}
    assert scenario.api.latency == 0.05
    assert scenario.match is not None
    assert scenario.match.model == ["V4"]
    assert scenario.match.matches("extend", {"model": "V4", "prompt": "Rain song"})
    assert not scenario.match.matches("upload_cover", {"model": "V4", "prompt": "rain"})
    assert not scenario.match.matches("generate", {"model": "V5", "prompt": "rain"})
    assert scenario.match.matches("generate", {"model": "V4", "lyrics": "the RAIN"})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("stages: {}", "s.yaml: version: required; start the file with `version: 1`"),
        ("version: 2", "s.yaml: line 1: version: Input should be 1"),
        (
            "version: 1\nstage: {}",
            "s.yaml: line 2: stage: unknown key; did you mean 'stages'?; allowed: version, name,",
        ),
        (
            "version: 1\nstages: {txt: 5s}",
            "s.yaml: line 2: stages.txt (the key): Input should be 'text', 'first' or 'complete'",
        ),
        (
            "version: 1\nstages: {text: soon}",
            "s.yaml: line 2: stages.text: expected a duration like 30, 90s, 2m, 500ms or 1h, "
            "got 'soon'",
        ),
        (
            "version: 1\nstages: {text: 60s, first: 30s}",
            "s.yaml: (top level): stages must not go backwards in time (text <= first <= complete);"
            " to deliver callbacks out of order use delivery.swap",
        ),
        (
            "version: 1\nerror: {after: 1s, code: 404, msg: x}",
            "s.yaml: line 2: error.code: Input should be 400, 408, 413, 451, 500, 501 or 531",
        ),
        (
            "version: 1\nerror: {after: 1s, code: 400, msg: x, status: FAILED}",
            "s.yaml: line 2: error.status: Input should be 'CREATE_TASK_FAILED', "
            "'GENERATE_AUDIO_FAILED' or 'SENSITIVE_WORD_ERROR'",
        ),
        (
            "version: 1\ndelivery: {swap: [first]}",
            "s.yaml: line 2: delivery.swap: swap takes two different stages, like "
            "[first, complete]; got ['first']",
        ),
        (
            "version: 1\ndelivery: {drop: [txt]}",
            "s.yaml: line 2: delivery.drop[0]: Input should be 'text', 'first', 'complete' "
            "or 'error'",
        ),
        (
            "version: 1\napi: {respond: 200}",
            "s.yaml: line 2: api.respond: Input should be 401, 405, 413, 429, 430, 455 or 500",
        ),
        (
            "version: 1\napi: {respond: 430, drop_connection: true}",
            "s.yaml: line 2: api: use either respond or drop_connection, not both",
        ),
        (
            "version: 1\nmatch: {model: V9}",
            "s.yaml: line 2: match.model: unknown model 'V9'; use one of V6, V6_WILD, V6_MINI,",
        ),
        (
            "version: 1\npayload: {tracks: 0}",
            "s.yaml: line 2: payload.tracks: Input should be greater than or equal to 1",
        ),
        ("- a list", "s.yaml: expected a mapping with `version: 1`, got a list"),
        ("version: [1\n", "s.yaml: not valid YAML: while parsing a flow sequence"),
        (
            "!!python/object:os.system x",
            "s.yaml: not valid YAML: could not determine a constructor",
        ),
    ],
)
def test_invalid_files_say_where_and_why(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value).startswith(f"{tmp_path}/{message}"), str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"nope.yaml: cannot read: No such file"):
        load_scenario(tmp_path / "nope.yaml")


def test_unknown_name_lists_the_bundled_ones(tmp_path: Path) -> None:
    library = ScenarioLibrary([tmp_path])
    with pytest.raises(ScenarioError) as info:
        library.resolve("nonesuch")
    message = str(info.value)
    assert message.startswith("unknown scenario 'nonesuch'; allowed: audio-conflict, ")
    assert f"folders searched: {tmp_path}" in message


def test_user_folder_wins_over_bundled_and_paths_work(tmp_path: Path) -> None:
    write(tmp_path, "version: 1\ndescription: mine\n", "happy-path.yaml")
    other = write(tmp_path, "version: 1\ndescription: by path\n", "other.yml")
    library = ScenarioLibrary([tmp_path])
    assert library.resolve("happy-path").description == "mine"
    assert library.resolve(str(other)).description == "by path"
    assert library.resolve("maintenance").api.respond == 455


def test_check_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path, "version: 1\ndescription: fine\n", "good.yaml")
    bad = write(tmp_path, "version: 1\nfoo: 1\n", "bad.yaml")
    assert main(["check", str(good)]) == 0
    assert capsys.readouterr().out == f"{good}: ok (fine)\n"
    assert main(["check", str(good), str(bad)]) == 1
    captured = capsys.readouterr()
    assert captured.err == (
        f"{bad}: line 2: foo: unknown key; allowed: version, name, description, match, stages, "
        "error, delivery, api, payload\n"
    )


def test_scenarios_command_lists_every_bundled_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenarios"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == bundled_names()
    assert all(len(line.split(maxsplit=1)) == 2 for line in lines)
