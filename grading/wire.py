"""Messages between the trusted grader and a sandboxed student process.

A message is a JSON header followed by raw ``.npy`` arrays: plain numbers only, never pickle, so
nothing that comes out of the sandbox can run code in the grader. Both sides import this module;
the grader treats everything it receives as hostile (sizes are capped, arrays are loaded with
``allow_pickle=False``, and only a fixed set of value kinds is accepted).

Frame: 8-byte length + JSON header, then for each of ``header["arrays"]`` arrays 8-byte length + npy.
"""
import fcntl
import io
import json
import math
import os
import select
import struct
import time

import numpy as np

MAX_FRAME = 64 * 2**20  # one array
MAX_HEADER = 4 * 2**20  # the JSON part: parsing it costs the reader time, so it stays small
MAX_MESSAGE = 128 * 2**20  # all the parts of one message together
MAX_ITEMS = 10_000  # list/tuple/dict entries in one value
MAX_DEPTH = 8
NUMBER_KINDS = "biufc"  # bool, int, uint, float, complex: the dtypes an answer can have
PIPE_BYTES = 2**20  # Linux's cap for unprivileged users, 16 times its default


class WireError(Exception):
    """A message was malformed, too large, or the other side went away."""


class Timeout(WireError):
    """No complete message arrived before the deadline."""


def send(fd, header, arrays=(), deadline=None):
    """Write one message to `fd`; with a `deadline` (a time.monotonic() value), raise Timeout when
    the other side stops reading before all of it is written, instead of blocking for ever.

    An array's bytes go to the pipe straight from its own memory: no copy is made in between."""
    header = dict(header, arrays=len(arrays))
    chunks = [_framed(json.dumps(header).encode())]
    for array in arrays:
        array = np.asarray(array, order="C")
        npy = io.BytesIO()
        np.lib.format.write_array_header_1_0(npy, np.lib.format.header_data_from_array_1_0(array))
        chunks += [struct.pack(">Q", npy.tell() + array.nbytes) + npy.getvalue(),
                   memoryview(array.reshape(-1).view(np.uint8))]
    if deadline is not None:
        os.set_blocking(fd, False)
    for chunk in chunks:
        data = memoryview(chunk)
        while data:
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not select.select([], [fd], [], remaining)[1]:
                    raise Timeout("the other side stopped reading before the time limit")
            try:
                data = data[os.write(fd, data):]
            except BlockingIOError:
                continue  # the pipe filled up between select and write: wait again


def widen_pipe(fd):
    """Ask for a PIPE_BYTES buffer on the pipe `fd`: a large array then crosses in 16 times fewer
    rounds of write, wake up, read (benchmarks/wire_speed.py prints the gain). Where the system
    refuses, the pipe stays as it is."""
    try:
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except OSError:
        pass


def recv(fd, deadline=None):
    """Read one message from `fd`; `deadline` is a time.monotonic() value or None for no limit."""
    try:
        header = json.loads(_read_exactly(fd, _frame_length(fd, deadline, MAX_HEADER), deadline))
    except (ValueError, RecursionError, MemoryError) as error:  # JSON errors are ValueErrors too
        raise WireError(f"unreadable message header ({type(error).__name__})") from None
    if not isinstance(header, dict) or not isinstance(header.get("arrays"), int):
        raise WireError("message header is not a dict with an array count")
    if not 0 <= header["arrays"] <= MAX_ITEMS:
        raise WireError("message announces too many arrays")
    arrays, budget = [], MAX_MESSAGE
    for _ in range(header["arrays"]):
        length = _frame_length(fd, deadline, budget)
        budget -= length
        arrays.append(_read_array(fd, length, deadline))
    return header, arrays


def encode(value, arrays, callbacks=None, depth=0):
    """Turn `value` into JSON-able data, appending arrays to `arrays`.

    Callables are sent as callback handles when `callbacks` (a list to append them to) is given.
    """
    if depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    if value is None or isinstance(value, (bool, int, float, str)):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**63:
            raise WireError("integer too large")
        if isinstance(value, str) and len(value) > 10_000:
            raise WireError("string too long")
        return value
    if isinstance(value, np.generic):
        return encode(value.item(), arrays, callbacks, depth + 1)
    if isinstance(value, np.ndarray):
        # A plain ndarray (no copy): subclasses with their own __eq__ or shape tricks do not survive the trip.
        array = np.asarray(value)
        if array.dtype.kind not in NUMBER_KINDS:
            raise WireError(f"an array of dtype {array.dtype}, not numbers")
        arrays.append(array)
        return {"array": len(arrays) - 1}
    if isinstance(value, (list, tuple)):
        if len(value) > MAX_ITEMS:
            raise WireError("list too long")
        kind = "tuple" if isinstance(value, tuple) else "list"
        return {kind: [encode(v, arrays, callbacks, depth + 1) for v in value]}
    if isinstance(value, dict):
        if len(value) > MAX_ITEMS or not all(isinstance(k, str) for k in value):
            raise WireError("dict too long or with non-string keys")
        return {"dict": {k: encode(v, arrays, callbacks, depth + 1) for k, v in value.items()}}
    if isinstance(value, np.random.Generator):
        # Travels as its PCG64 state (plain integers): the student's code draws the same numbers.
        state = value.bit_generator.state
        if state.get("bit_generator") != "PCG64":
            raise WireError("only PCG64 generators can be sent")
        return {"generator": {"state": str(state["state"]["state"]), "inc": str(state["state"]["inc"]),
                              "has_uint32": state["has_uint32"], "uinteger": state["uinteger"]}}
    if callbacks is not None and callable(value):
        callbacks.append(value)
        return {"callback": len(callbacks) - 1}
    raise WireError(f"a value of type {type(value).__name__}, which is not a number, array, list or tuple")


def decode(data, arrays, make_callback=None, depth=0, budget=None):
    """Inverse of :func:`encode`; callback handles become ``make_callback(index)``.

    Every reference to an array counts its bytes against MAX_MESSAGE: a small message that names
    one array thousands of times would otherwise decode to gigabytes once anything copies it.
    """
    budget = [MAX_MESSAGE] if budget is None else budget
    if depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, dict) and len(data) == 1:
        (kind, inner), = data.items()
        if kind == "array" and isinstance(inner, int) and 0 <= inner < len(arrays):
            budget[0] -= arrays[inner].nbytes
            if budget[0] < 0:
                raise WireError("the value refers to more bytes of arrays than it may")
            return arrays[inner]
        if kind in ("list", "tuple") and isinstance(inner, list) and len(inner) <= MAX_ITEMS:
            items = [decode(v, arrays, make_callback, depth + 1, budget) for v in inner]
            return tuple(items) if kind == "tuple" else items
        if kind == "dict" and isinstance(inner, dict) and len(inner) <= MAX_ITEMS:
            return {k: decode(v, arrays, make_callback, depth + 1, budget) for k, v in inner.items()}
        if kind == "callback" and make_callback is not None and isinstance(inner, int):
            return make_callback(inner)
        if kind == "generator" and isinstance(inner, dict):
            return _generator(inner)
    raise WireError("malformed value")


def _generator(fields):
    try:
        generator = np.random.Generator(np.random.PCG64())
        generator.bit_generator.state = {
            "bit_generator": "PCG64", "state": {"state": int(fields["state"]), "inc": int(fields["inc"])},
            "has_uint32": int(fields["has_uint32"]), "uinteger": int(fields["uinteger"])}
    except (KeyError, TypeError, ValueError):
        raise WireError("malformed random generator state") from None
    return generator


def _framed(payload):
    return struct.pack(">Q", len(payload)) + payload


def _frame_length(fd, deadline, budget):
    (length,) = struct.unpack(">Q", _read_exactly(fd, 8, deadline))
    if length > min(MAX_FRAME, budget):
        raise WireError(f"message larger than the limit ({MAX_HEADER} bytes of JSON, {MAX_FRAME} an array, "
                        f"{MAX_MESSAGE} in all)")
    return length


def _read_array(fd, length, deadline):
    """One .npy frame of `length` bytes: its header is parsed and checked first, then the data is read
    straight into the array's memory (it must be exactly as long as the header's shape and dtype say)."""
    start = _read_exactly(fd, min(length, 10), deadline)  # magic, version, header length
    if len(start) < 10 or start[:6] != b"\x93NUMPY" or start[6] != 1:
        raise WireError("unreadable array (not an .npy version 1.0 frame)")
    size = int.from_bytes(start[8:10], "little")
    if 10 + size > length:
        raise WireError("unreadable array (its header is longer than its frame)")
    try:
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(
            io.BytesIO(start[8:] + _read_exactly(fd, size, deadline)))
    except Exception as error:  # noqa: BLE001 — numpy's header parser lets tokenize's and ast's errors out
        raise WireError(f"unreadable array ({type(error).__name__}: {str(error)[:200]})") from None
    if dtype.kind not in NUMBER_KINDS or dtype.hasobject:
        raise WireError("an array of something other than numbers")
    if any(n < 0 for n in shape) or math.prod(shape) * dtype.itemsize != length - 10 - size:
        raise WireError("unreadable array (its data is not as long as its shape and dtype say)")
    data = np.empty(length - 10 - size, np.uint8)
    _read_into(fd, memoryview(data), deadline)
    return data.view(dtype).reshape(shape, order="F" if fortran else "C")


def _wait_readable(fd, deadline):
    if deadline is not None:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            raise Timeout("no reply before the time limit")


def _read_into(fd, view, deadline):
    while view:
        _wait_readable(fd, deadline)
        count = os.readv(fd, [view])
        if not count:
            raise WireError("the other side closed the connection")
        view = view[count:]


def _read_exactly(fd, size, deadline):
    parts, missing = [], size
    while missing:
        _wait_readable(fd, deadline)
        chunk = os.read(fd, min(missing, 1 << 20))
        if not chunk:
            raise WireError("the other side closed the connection")
        parts.append(chunk)
        missing -= len(chunk)
    return b"".join(parts)
