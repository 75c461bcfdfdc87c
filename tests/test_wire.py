"""The wire between the grader and a sandboxed student: plain data round-trips, and what a hostile
reply could make the grader hold or wait for is bounded."""
import fcntl
import io
import json
import os
import threading
import time

import numpy as np
import pytest

from grading import wire


def roundtrip(value):
    arrays = []
    encoded = wire.encode(value, arrays)
    return wire.decode(encoded, arrays)


def test_plain_values_round_trip():
    value = {"x": np.arange(6.0).reshape(2, 3), "n": 3, "pair": (1.5, [np.int64(2), None]), "s": "ok"}
    back = roundtrip(value)
    assert np.array_equal(back["x"], value["x"]) and back["pair"] == (1.5, [2, None]) and back["s"] == "ok"


def test_one_array_named_thousands_of_times_is_refused():
    # 35 KB of JSON naming one 1 MiB array 2,500 times: 2.4 GiB once anything copies the list.
    big = [np.zeros(2**17)]
    data = {"list": [{"array": 0}] * 2500}
    with pytest.raises(wire.WireError, match="more bytes of arrays than it may"):
        wire.decode(data, big)
    assert len(wire.decode({"list": [{"array": 0}] * 100}, big)) == 100  # 100 MiB is within the cap


def test_a_write_to_a_reader_that_stopped_reading_times_out():
    read_end, write_end = os.pipe()
    try:
        started = time.monotonic()
        with pytest.raises(wire.Timeout):
            wire.send(write_end, {"op": "call"}, [np.zeros(2**20)], deadline=time.monotonic() + 0.5)
        assert time.monotonic() - started < 5
    finally:
        os.close(read_end)
        os.close(write_end)


def through_a_pipe(arrays):
    """(header, arrays) as a reader on another thread receives them, sent with a deadline."""
    read_end, write_end = os.pipe()
    received = {}
    reader = threading.Thread(target=lambda: received.update(message=wire.recv(read_end, time.monotonic() + 30)))
    reader.start()
    wire.send(write_end, {"op": "result"}, arrays, deadline=time.monotonic() + 30)
    reader.join(30)
    os.close(read_end)
    os.close(write_end)
    return received["message"]


def test_a_write_with_a_deadline_arrives_whole():
    sent = np.arange(2.0**18)
    header, arrays = through_a_pipe([sent])
    assert header["op"] == "result" and np.array_equal(arrays[0], sent)


@pytest.mark.parametrize("payload", [b"[" * 100_000 + b"]" * 100_000, b'{"arrays": 0, "x": 1e999999}', b"\xff\xfe"])
def test_an_unreadable_header_is_a_wire_error(tmp_path, payload):
    path = tmp_path / "message"
    path.write_bytes(len(payload).to_bytes(8, "big") + payload)
    with open(path, "rb") as f:
        try:
            wire.recv(f.fileno(), time.monotonic() + 10)
        except wire.WireError:
            pass  # refused, as it should be; anything else escaping is the bug


def test_a_truncated_array_is_a_wire_error(tmp_path):
    header = b'{"arrays": 1}'
    frame = b"\x93NUMPY\x01\x00"  # the start of an .npy header and nothing more
    path = tmp_path / "message"
    path.write_bytes(len(header).to_bytes(8, "big") + header + len(frame).to_bytes(8, "big") + frame)
    with open(path, "rb") as f, pytest.raises(wire.WireError):
        wire.recv(f.fileno(), time.monotonic() + 10)


def _message_file(tmp_path, frames):
    """A file holding a message with these raw array frames (each given whole, length prefix added)."""
    header = json.dumps({"arrays": len(frames)}).encode()
    path = tmp_path / "message"
    path.write_bytes(b"".join(len(part).to_bytes(8, "big") + part for part in [header, *frames]))
    return path


def _npy(array, data=None):
    """The .npy bytes of `array`, with its data replaced by `data` when given."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, np.lib.format.header_data_from_array_1_0(array))
    return buffer.getvalue() + (array.tobytes() if data is None else data)


@pytest.mark.parametrize("value", [
    np.arange(12.0).reshape(3, 4)[:, ::2],  # not contiguous
    np.asfortranarray(np.arange(6).reshape(2, 3)),
    np.array(2.5), np.zeros((0, 3)), np.array([True, False]), np.array([1 + 2j]),
    np.arange(5, dtype=">i4"), np.arange(4, dtype=np.int8)])
def test_arrays_of_every_layout_and_number_type_arrive_equal(value):
    _, (back,) = through_a_pipe([value])
    assert back.shape == value.shape and back.dtype == value.dtype and np.array_equal(back, value)


@pytest.mark.parametrize("frame, problem", [
    (_npy(np.arange(4.0), data=np.arange(3.0).tobytes()), "not as long"),  # data cut short
    (_npy(np.arange(4.0), data=np.arange(5.0).tobytes()), "not as long"),  # data beyond the shape
    (_npy(np.array([1, 2], dtype=object), data=b"\0" * 16), "other than numbers"),
    (_npy(np.array(["ab"]), data=b"\0" * 8), "other than numbers"),
    (b"\x93NUMPY\x01\x00\x40\x00" + b"{'descr': '<f8', 'fortran_order': False, 'shape': (-1, -1), }".ljust(63)
     + b"\n" + b"\0" * 8, "not as long"),  # negative sides whose product fits the data
    (b"\x93NUMPY\x02\x00" + b"\0" * 30, "version 1.0"),
    (b"\x93NUMPY\x01\x00\xff\x7f{}", "longer than its frame"),
    (b"\x93NUMPY\x01\x00\x0f\x00{'descr': '<f8'", "unreadable array"),
])
def test_an_array_frame_that_lies_about_itself_is_refused(tmp_path, frame, problem):
    with open(_message_file(tmp_path, [frame]), "rb") as f, pytest.raises(wire.WireError, match=problem):
        wire.recv(f.fileno(), time.monotonic() + 10)


def test_the_grader_widens_its_pipes():
    read_end, write_end = os.pipe()
    try:
        before = fcntl.fcntl(write_end, fcntl.F_GETPIPE_SZ)
        wire.widen_pipe(write_end)
        assert fcntl.fcntl(write_end, fcntl.F_GETPIPE_SZ) == max(before, wire.PIPE_BYTES)
    finally:
        os.close(read_end)
        os.close(write_end)


def test_an_array_header_nested_too_deeply_is_refused(tmp_path):
    header = b"[" * 3000 + b"]" * 3000
    frame = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header
    with open(_message_file(tmp_path, [frame]), "rb") as f, pytest.raises(wire.WireError, match="unreadable array"):
        wire.recv(f.fileno(), time.monotonic() + 10)
