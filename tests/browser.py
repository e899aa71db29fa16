"""A real browser for the HTML report tests: headless Chromium from the system packages.

``Browser.find()`` returns None when no Chromium is installed (the tests then skip, saying so);
``.ci/run`` installs it. Each call starts a fresh browser with its own profile folder, no network
services and no sandbox (CI runs as root in a container)."""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from dataclasses import dataclass
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
         "--hide-scrollbars", "--mute-audio")
TIMEOUT = 180  # seconds; a loaded 2-core machine can take a while to start a browser


@dataclass(frozen=True)
class Browser:
    binary: str
    workdir: Path

    @classmethod
    def find(cls, workdir: Path) -> Browser | None:
        for name in CANDIDATES:
            path = shutil.which(name)
            if path:
                return cls(path, workdir)
        return None

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        profile = self.workdir / f"profile-{len(list(self.workdir.glob('profile-*')))}"
        profile.mkdir(parents=True)
        cmd = [self.binary, *FLAGS, f"--user-data-dir={profile}", *args]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"chromium exited {result.returncode}: {result.stderr[-2000:]}")
        return result

    def dom(self, page: Path, width: int = 1280, height: int = 900) -> str:
        """The DOM after the page has loaded, serialised."""
        return self._run(f"--window-size={width},{height}", "--virtual-time-budget=2000",
                         "--dump-dom", page.resolve().as_uri()).stdout

    def screenshot(self, page: Path, out: Path, width: int = 1280, height: int = 1600) -> Path:
        self._run(f"--window-size={width},{height}", f"--screenshot={out}", page.resolve().as_uri())
        return out

    def pdf(self, page: Path, out: Path) -> Path:
        """The print view, as Chromium prints it to PDF."""
        self._run("--no-pdf-header-footer", f"--print-to-pdf={out}", page.resolve().as_uri())
        return out


def png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of RGB(A) bytes) of an 8-bit, non-interlaced PNG, as Chromium writes them."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width, height, channels = 8, b"", 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _c, _f, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and interlace == 0, "only 8-bit non-interlaced PNGs"
            channels = {2: 3, 6: 4, 0: 1, 4: 2}[colour]
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            up_left = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else up_left)) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, rows


def ink_share(path: Path) -> float:
    """Share of pixels that are not (near) white: 0 for a blank page."""
    width, _height, rows = png_pixels(path)
    channels = len(rows[0]) // width
    inked = total = 0
    for row in rows[::4]:
        for x in range(0, width * channels, channels * 4):
            total += 1
            if min(row[x:x + 3]) < 235:
                inked += 1
    return inked / total
