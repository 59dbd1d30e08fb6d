"""Screenshot pages of the built site with headless Chromium, for a human look.

Usage: python scripts/screenshots.py [page.html ...]  (default: a fixed tour of the site)
Writes PNGs to _build/screenshots/.
"""

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
OUT = ROOT / "_build" / "screenshots"
TOUR = ["index.html", "policy/principles.html", "policy/requirements.html", "policy/traceability.html", "projects/index.html"]


def shoot(page: str, width: int = 1280, height: int = 2000) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    target = OUT / (page.replace("/", "_").removesuffix(".html") + ".png")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--hide-scrollbars", f"--window-size={width},{height}",
             f"--screenshot={target}", (HTML / page).as_uri()],
            check=True, capture_output=True, timeout=120,
        )
    return target


def tiles(page: str, tile: int = 1800, height: int = 12000) -> list[Path]:
    """A long page as readable tiles: one tall shot, cut into pieces."""
    import numpy as np
    from PIL import Image

    full = shoot(page, height=height)
    image = Image.open(full)
    # Trim the blank area below the content. The theme's footer sits at the bottom of the
    # (tall) window and a thin border runs down the side, so the content ends at the first
    # long run of rows with hardly any dark pixels.
    dark = (np.asarray(image.convert("L")) < 200).sum(axis=1)
    inked = np.flatnonzero(dark > 3)
    w, last = image.width, int(inked[-1]) if inked.size else image.height
    gaps = np.flatnonzero(np.diff(inked) > 1200)
    if gaps.size:
        last = int(inked[gaps[0]])
    out = []
    for n, top in enumerate(range(0, last + 1, tile)):
        part = full.with_name(f"{full.stem}_{n}.png")
        image.crop((0, top, w, min(top + tile, last + 1))).save(part)
        out.append(part)
    return out


if __name__ == "__main__":
    for page in sys.argv[1:] or TOUR:
        print(shoot(page))
