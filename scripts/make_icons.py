"""Draw the app icons the web app manifest names (review_ui/static/icons/); the PNGs are committed, so run this
only to change them: `python scripts/make_icons.py`."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parents[1] / "review_ui" / "static" / "icons"
NAVY, PAPER, INK, GREEN = (18, 38, 63), (255, 255, 255), (157, 168, 184), (31, 122, 58)
SUPER = 4  # drawn this many times larger, then scaled down: smooth edges without an anti-aliasing library


def receipt(size: int, safe: float) -> Image.Image:
    """A receipt with a tick on the navy ground; `safe` is the share of the side the drawing keeps to."""
    side = size * SUPER
    image = Image.new("RGB", (side, side), NAVY)
    draw = ImageDraw.Draw(image)
    inset = side * (1 - safe) / 2
    left, right = inset + side * safe * 0.22, side - inset - side * safe * 0.22
    top, bottom = inset + side * safe * 0.12, side - inset - side * safe * 0.16
    teeth, tooth = 6, (right - left) / 6
    outline = [(left, top), (right, top), (right, bottom)]
    for n in range(teeth):
        outline += [(right - (n + 0.5) * tooth, bottom - tooth * 0.5), (right - (n + 1) * tooth, bottom)]
    draw.polygon(outline, fill=PAPER)
    line = side * safe * 0.035
    for row in range(4):
        y = top + (row + 1) * (bottom - top) * 0.15
        width = (right - left) * (0.75 if row % 2 else 0.55)
        draw.rounded_rectangle([left + tooth * 0.6, y, left + tooth * 0.6 + width, y + line], radius=line / 2, fill=INK)
    radius = side * safe * 0.17
    cx, cy = right - radius * 0.35, bottom - radius * 0.6
    draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], fill=GREEN, outline=NAVY, width=int(line))
    tick = [(cx - radius * 0.5, cy), (cx - radius * 0.12, cy + radius * 0.4), (cx + radius * 0.52, cy - radius * 0.38)]
    draw.line(tick, fill=PAPER, width=int(line * 1.6), joint="curve")
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        receipt(size, 0.92).save(OUT / f"icon-{size}.png", optimize=True)
    receipt(512, 0.72).save(OUT / "maskable-512.png", optimize=True)  # the launcher may crop to a circle
    receipt(180, 0.92).save(OUT / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()
