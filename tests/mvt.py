"""A Mapbox vector tile decoder for the tests and the security crawler (spec 2.1: a
protobuf ``Tile`` of layers, each with its features, keys, values and extent; geometry as
command integers in tile-local coordinates). Written here rather than installed: it is the
few lines the tests need, and it reads exactly what the spec says, nothing more."""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field

GEOM_TYPES = {0: "Unknown", 1: "Point", 2: "LineString", 3: "Polygon"}


@dataclass
class Feature:
    id: int | None
    type: str
    properties: dict
    # Tile-local vertices (x right, y down, 0..extent inside the tile), all parts together.
    vertices: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Layer:
    name: str
    extent: int
    features: list[Feature]


def _varint(data: bytes, at: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        byte = data[at]
        at += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, at
        shift += 7


def _fields(data: bytes):
    """``(field number, wire type, value)`` of a protobuf message."""
    at = 0
    while at < len(data):
        key, at = _varint(data, at)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, at = _varint(data, at)
        elif wire == 1:
            value, at = data[at : at + 8], at + 8
        elif wire == 2:
            size, at = _varint(data, at)
            value, at = data[at : at + size], at + size
        elif wire == 5:
            value, at = data[at : at + 4], at + 4
        else:
            raise ValueError(f"wire type {wire} inconnu")
        yield number, wire, value


def _packed(data: bytes) -> list[int]:
    out, at = [], 0
    while at < len(data):
        value, at = _varint(data, at)
        out.append(value)
    return out


def _zigzag(n: int) -> int:
    return (n >> 1) ^ -(n & 1)


def _value(data: bytes):
    for number, _wire, value in _fields(data):
        if number == 1:
            return value.decode()
        if number == 2:
            return struct.unpack("<f", value)[0]
        if number == 3:
            return struct.unpack("<d", value)[0]
        if number in (4, 5):
            return value if value < 2**63 else value - 2**64
        if number == 6:
            return _zigzag(value)
        if number == 7:
            return bool(value)
    return None


def _vertices(commands: list[int]) -> list[tuple[int, int]]:
    out, x, y, at = [], 0, 0, 0
    while at < len(commands):
        command, count = commands[at] & 7, commands[at] >> 3
        at += 1
        if command in (1, 2):  # MoveTo, LineTo
            for _ in range(count):
                x += _zigzag(commands[at])
                y += _zigzag(commands[at + 1])
                at += 2
                out.append((x, y))
        # ClosePath (7) has no parameters.
    return out


def decode(data: bytes) -> list[Layer]:
    layers = []
    for number, _wire, layer_bytes in _fields(data):
        if number != 3:
            continue
        name, extent, keys, values, raw_features = "", 4096, [], [], []
        for n, _w, value in _fields(layer_bytes):
            if n == 1:
                name = value.decode()
            elif n == 2:
                raw_features.append(value)
            elif n == 3:
                keys.append(value.decode())
            elif n == 4:
                values.append(_value(value))
            elif n == 5:
                extent = value
        features = []
        for raw in raw_features:
            fid, kind, tags, geometry = None, 0, [], []
            for n, _w, value in _fields(raw):
                if n == 1:
                    fid = value
                elif n == 2:
                    tags = _packed(value)
                elif n == 3:
                    kind = value
                elif n == 4:
                    geometry = _packed(value)
            properties = {
                keys[tags[i]]: values[tags[i + 1]] for i in range(0, len(tags), 2)
            }
            features.append(
                Feature(fid, GEOM_TYPES[kind], properties, _vertices(geometry))
            )
        layers.append(Layer(name, extent, features))
    return layers


def to_lonlat(
    vertex: tuple[int, int], z: int, x: int, y: int, extent: int = 4096
) -> tuple[float, float]:
    """A tile-local vertex of tile ``z/x/y`` in WGS84 degrees."""
    n = 2**z
    column = x + vertex[0] / extent
    row = y + vertex[1] / extent
    lon = column / n * 360 - 180
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))
    return lon, lat


def unit_degrees(z: int, extent: int = 4096) -> float:
    """One tile-local unit in degrees of longitude (a latitude degree is smaller near 50°N,
    so this bounds both): the precision a vertex is written to."""
    return 360 / 2**z / extent


def lonlat_of_tile(x_lon: float, y_lat: float, z: int) -> tuple[int, int]:
    """The tile ``(x, y)`` at zoom ``z`` that holds a WGS84 point."""
    n = 2**z
    x = int((x_lon + 180) / 360 * n)
    lat = math.radians(y_lat)
    y = int((1 - math.asinh(math.tan(lat)) / math.pi) / 2 * n)
    return x, y
