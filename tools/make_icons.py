"""Draw the companion page's icons: a pale crescent moon on the page's blue, the night the
page is for. Writes PNGs at the sizes a phone's home screen and a browser tab ask for, and
the SVG they are drawn from, into src/crampcoach/web/static/. Pure Python (zlib and struct
only), so anyone can make them again: python tools/make_icons.py
"""

from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "src" / "crampcoach" / "web" / "static"
BLUE = (11, 79, 156)
MOON = (255, 241, 196)
#: (file, size in px, maskable): a maskable icon keeps its moon inside the middle 80 %.
ICONS = (("favicon-32.png", 32, False), ("icon-180.png", 180, False),
         ("icon-192.png", 192, False), ("icon-512.png", 512, False),
         ("icon-maskable-512.png", 512, True))
#: The moon as two circles in a 100-unit square: the lit disc less the shadow's disc.
DISC = (50.0, 50.0, 30.0)
SHADOW = (63.0, 40.0, 25.0)
SAMPLES = 4  # per side of a pixel: 16 samples smooth the edges


def _inside(x: float, y: float, circle: tuple[float, float, float]) -> bool:
    cx, cy, r = circle
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def _moon_cover(x: float, y: float, scale: float, zoom: float) -> float:
    """How much of the pixel at (x, y) the moon covers, 0 to 1."""
    hits = 0
    for i in range(SAMPLES):
        for j in range(SAMPLES):
            u = ((x + (i + 0.5) / SAMPLES) * scale - 50) / zoom + 50
            v = ((y + (j + 0.5) / SAMPLES) * scale - 50) / zoom + 50
            if _inside(u, v, DISC) and not _inside(u, v, SHADOW):
                hits += 1
    return hits / SAMPLES ** 2


def _corner_cover(x: int, y: int, size: int, radius: float) -> float:
    """Whether the pixel is inside the rounded square (1), outside (0) or on its edge."""
    hits = 0
    for i in range(SAMPLES):
        for j in range(SAMPLES):
            px, py = x + (i + 0.5) / SAMPLES, y + (j + 0.5) / SAMPLES
            dx = max(radius - px, 0.0, px - (size - radius))
            dy = max(radius - py, 0.0, py - (size - radius))
            if dx * dx + dy * dy <= radius * radius:
                hits += 1
    return hits / SAMPLES ** 2


def draw(size: int, maskable: bool) -> bytes:
    """The icon as RGBA rows."""
    zoom = 0.8 if maskable else 1.0
    scale = 100 / size
    radius = 0.0 if maskable else size * 0.22
    rows = bytearray()
    for y in range(size):
        rows.append(0)  # no filter
        for x in range(size):
            alpha = 1.0 if maskable else _corner_cover(x, y, size, radius)
            moon = _moon_cover(x, y, scale, zoom)
            pixel = [round(b + (m - b) * moon) for b, m in zip(BLUE, MOON, strict=True)]
            rows.extend((*pixel, round(255 * alpha)))
    return bytes(rows)


def png(size: int, rows: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def svg() -> str:
    (dx, dy, dr), (sx, sy, sr) = DISC, SHADOW
    blue = "#{:02x}{:02x}{:02x}".format(*BLUE)
    moon = "#{:02x}{:02x}{:02x}".format(*MOON)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">'
            f'<defs><mask id="m"><rect width="100" height="100" fill="#fff"/>'
            f'<circle cx="{sx:g}" cy="{sy:g}" r="{sr:g}" fill="#000"/></mask></defs>'
            f'<rect width="100" height="100" rx="22" fill="{blue}"/>'
            f'<circle cx="{dx:g}" cy="{dy:g}" r="{dr:g}" fill="{moon}" mask="url(#m)"/></svg>\n')


def main() -> int:
    for name, size, maskable in ICONS:
        (STATIC / name).write_bytes(png(size, draw(size, maskable)))
    (STATIC / "icon.svg").write_text(svg())
    return 0


if __name__ == "__main__":
    sys.exit(main())
