"""The JSON shape comparator behind the drift guard and `suno-mock drift`."""

from mock_server.shape import Difference, compare


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
