"""Tofu checks in a real browser (Playwright): magenta .notdef pixels, counted in the
browser, and Flutter's fallback-font requests (see kiosk/tools/tofu.py for the three
signals). One module for the browser tests (tests/browser) and the printed guides
(kiosk/tools/guides.py).

    watch = TofuWatch(ui.page)                   # start listening before navigating
    assert await magenta(ui.page, shot) == 0     # a screenshot's tofu pixels
    watch.fallbacks_since(mark)                  # Flutter's fallback fetches since a mark

Counting 1.3 million pixels in Python takes seconds; the browser's canvas does it in tens
of milliseconds, on a blank page of the same context so the kiosk page is not touched.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

from kiosk.tools.tofu import MAGENTA_GREEN_MAX, MAGENTA_MIN, is_fallback_request

if TYPE_CHECKING:  # Playwright is only imported where a browser runs
    from playwright.async_api import Page

_COUNT_JS = """async ([url, lo, hi]) => {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = new OffscreenCanvas(img.width, img.height);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, img.width, img.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) {
        if (d[i] >= lo && d[i + 2] >= lo && d[i + 1] <= hi) n++;
    }
    return n;
}"""


async def magenta(page: Page, png: bytes) -> int:
    """Magenta (.notdef) pixels of a PNG screenshot, counted in a blank page."""
    counter = await page.context.new_page()
    try:
        url = "data:image/png;base64," + base64.b64encode(png).decode()
        return await counter.evaluate(_COUNT_JS, [url, MAGENTA_MIN, MAGENTA_GREEN_MAX])
    finally:
        await counter.close()


class TofuWatch:
    """Every font request of a page: ours (by path) and Flutter's fallback fetches."""

    def __init__(self, page: Page) -> None:
        self.urls: list[str] = []
        page.on("request", lambda request: self.urls.append(request.url))

    def mark(self) -> int:
        return len(self.urls)

    def fallbacks_since(self, mark: int = 0) -> list[str]:
        return [u for u in self.urls[mark:] if is_fallback_request(u)]

    def fonts_since(self, mark: int = 0) -> list[str]:
        """Our own font files fetched (file names), e.g. ['NotoSansKR.otf']."""
        return [u.rsplit("/", 1)[-1] for u in self.urls[mark:]
                if "/fonts/" in u and u.endswith((".ttf", ".otf")) and not is_fallback_request(u)
                and "/assets/" not in u]
