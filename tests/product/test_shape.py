"""The JSON shape comparator behind the drift guard and `suno-mock drift`."""

from mock_server.drift.shape import Difference, compare


def test_equal_shapes_with_different_values_match() -> None:
    real = {"code": 200, "data": {"taskId": "abc", "tracks": [{"id": "1", "duration": 1.5}]}}
    mock = {"code": 200, "data": {"taskId": "xyz", "tracks": [{"id": "2", "duration": 99}] * 2}}
    assert compare(real, mock) == []


def test_each_kind_of_difference_is_located() -> None:
    real = {"code": 200, "data": {"a": 1, "b": "x", "tracks": [{"status": "SUCCESS"}]}}
    mock = {"code": 200, "data": {"a": "1", "c": 0, "tracks": [{"status": "DONE"}]}}
    assert compare(real, mock) == [
        Difference("$.data.a", "type", "number", "string"),
        Difference("$.data.b", "missing", "string", "absent"),
        Difference("$.data.tracks[0].status", "enum", "'SUCCESS'", "'DONE'"),
        Difference("$.data.c", "extra", "absent", "number"),
    ]
    assert str(compare(real, mock)[0]) == "$.data.a: type differs (reference: number; got: string)"


def test_null_is_its_own_type_and_enums_are_configurable() -> None:
    assert compare({"response": None}, {"response": {}}) == [
        Difference("$.response", "type", "null", "object")
    ]
    assert compare({"msg": "a"}, {"msg": "b"}, enums=()) == []


def test_ignore_by_key_name_or_location() -> None:
    real = {"msg": "a", "data": {"data": [{"tags": "x", "id": 1}], "note": "n"}}
    mock = {"msg": "b", "data": {"data": [{"tags": 2, "id": "1"}], "note": 0}}
    assert [d.location for d in compare(real, mock)] == [
        "$.msg", "$.data.data[0].tags", "$.data.data[0].id", "$.data.note",
    ]  # fmt: skip
    assert [d.location for d in compare(real, mock, ignore=["msg", "$.data.data[*].tags"])] == [
        "$.data.data[0].id", "$.data.note",
    ]  # fmt: skip
    assert compare(real, mock, ignore=["$.data", "msg"]) == []  # a location covers its subtree
    assert len(compare(real, mock, ignore=["$.dat", "ms"])) == 4  # whole names only
