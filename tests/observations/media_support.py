"""Files of the media tests: a phone photo with its EXIF (date taken, GPS position, a
description), a WAV and an MP3 recording, and files that only pretend."""

import io
import math
import struct
import wave
from fractions import Fraction

from PIL import Image

# Loos-en-Gohelle, where the entry tests place their frog.
LAT, LON = 50.4577, 2.7785
TAKEN = "2021:04:02 08:30:00"
DESCRIPTION = "Mare du terril 74, photo du telephone de Claire"


def _dms(value: float) -> tuple:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = Fraction((value - degrees - minutes / 60) * 3600).limit_denominator(1000)
    return (Fraction(degrees), Fraction(minutes), seconds)


def phone_photo(width=3000, height=2000, *, lat=LAT, lon=LON, taken=TAKEN) -> bytes:
    """A JPEG as a phone writes it: EXIF date taken, GPS position and a description."""
    image = Image.new("RGB", (width, height), (40, 120, 60))
    for x in range(0, width, 50):  # some detail, so the JPEG is not trivially small
        image.paste((200, 180, 40), (x, 0, x + 10, height))
    exif = Image.Exif()
    exif[0x010E] = DESCRIPTION  # ImageDescription
    exif[0x0132] = taken  # DateTime
    exif.get_ifd(0x8769)[0x9003] = taken  # DateTimeOriginal
    exif[0x8825] = {
        1: "N" if lat >= 0 else "S",
        2: _dms(abs(lat)),
        3: "E" if lon >= 0 else "W",
        4: _dms(abs(lon)),
    }
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80, exif=exif.tobytes())
    return out.getvalue()


def wav_sound(seconds: float = 0.2, rate: int = 8000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(rate)
        frames = b"".join(
            struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate)))
            for i in range(int(seconds * rate))
        )
        sound.writeframes(frames)
    return out.getvalue()


def mp3_with_id3(note: bytes = b"Gite CANARI secret") -> bytes:
    """An ID3v2 tag holding ``note``, then MPEG audio frame headers."""
    frame = b"TXXX" + struct.pack(">I", len(note) + 1) + b"\x00\x00" + b"\x00" + note
    size = len(frame)
    syncsafe = bytes(
        [(size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F]
    )
    frames = (b"\xff\xfb\x90\x64" + b"\x00" * 413) * 3
    return b"ID3\x04\x00\x00" + syncsafe + frame + frames


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
TEXT = b"Ceci n'est pas une photo.\n" * 20
