"""Printable one-page practice guides, one per language, with screenshots of the real
screens: ``python -m kiosk.tools.guides [--lang vi --lang ko] [--out build/guides]``.

It starts the practice kiosk (``python -m kiosk practice``, its own temporary data dir
and companions on 127.0.0.1, the city clock at 2026-11-25 10:00), books on one seat
per language in headless Chromium (``/usr/lib/chromium/chromium`` through Playwright,
never a downloaded browser) and pays on the practice payment app, screenshots the 8 key
steps, then writes ``<out>/<folder>/guide.html`` (print CSS: one A4 page) and
``guide.pdf`` (Chromium's ``page.pdf``). With no ``--lang``: all 15 languages.
The output is generated, not committed (``build/`` is ignored).
"""

from __future__ import annotations

import argparse
import asyncio
import html
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kiosk.flow import messages as M
from kiosk.i18n import ALL_LANGUAGES, LANGUAGES_BY_CODE, Translator
from kiosk.practice import messages as PM

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/lib/chromium/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 1024}
TIMEOUT_MS = 30_000
# One (day, unit, category, slot) per guide: the practice city has room for 18.
BOOKINGS = [(day, unit, category, slot)
            for unit, category in (("practice-hall", "hall"), ("practice-room", "meeting_room"))
            for day in ("2026-11-27", "2026-11-28", "2026-11-29")
            for slot in ("0900", "1300", "1800")]
STEPS = (  # (screenshot name, caption message)
    ("language", PM.GUIDE_STEP_LANGUAGE), ("home", PM.GUIDE_STEP_HOME), ("place", PM.GUIDE_STEP_PLACE),
    ("time", PM.GUIDE_STEP_DAY), ("identify", PM.GUIDE_STEP_IDENTIFY), ("confirm", PM.GUIDE_STEP_CONFIRM),
    ("pay", PM.GUIDE_STEP_PAY), ("done", PM.GUIDE_STEP_DONE),
)
FONTS = ('"BIZ UDPGothic", "Noto Sans CJK JP", "Noto Sans", "Noto Sans Thai", "Noto Sans Devanagari", '
         '"Noto Sans Myanmar", "Noto Sans Sinhala", "Noto Sans CJK SC", "Noto Sans CJK KR", sans-serif')


@dataclass(frozen=True)
class Guide:
    code: str
    html: Path
    pdf: Path
    pages: int
    images: tuple[Path, ...]
    fits: bool  # nothing cut off at the foot of the A4 page
    tofu: int  # magenta .notdef pixels in the screenshots (kiosk/tools/tofu.py): 0


def pdf_pages(data: bytes) -> int:
    """The number of pages of a PDF Chromium wrote (its page objects)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


def guide_html(code: str, images: list[str], pin: str) -> str:
    """The guide's HTML: title, the practice card's PIN, 8 numbered steps with their
    screenshots, on one A4 page."""
    t = Translator(code)
    lang = LANGUAGES_BY_CODE[code]
    e = html.escape
    captions = [t(msg, button=t(M.TASK_BOOK)) if "{button}" in msg else t(msg) for _, msg in STEPS]
    cells = "\n".join(
        f'<figure><img src="{e(src)}" alt="{e(caption)}"><figcaption><b>{i}</b> {e(caption)}</figcaption></figure>'
        for i, (src, caption) in enumerate(zip(images, captions), 1))
    ja_title = "" if code == "ja" else f'<p class="ja">{e(Translator("ja")(PM.GUIDE_TITLE))}</p>'
    return f"""<!doctype html>
<html lang="{e(lang.babel_locale.replace('_', '-'))}"><head><meta charset="utf-8">
<title>{e(t(PM.GUIDE_TITLE))}</title>
<style>
@page {{ size: A4; margin: 10mm; }}
* {{ box-sizing: border-box; }}
body {{ margin: 0; font-family: {FONTS}; color: #111; }}
main {{ width: 190mm; height: 276mm; overflow: hidden; }}
h1 {{ font-size: 17pt; margin: 0 0 1mm; }}
.ja {{ font-size: 10pt; margin: 0 0 2mm; color: #333; }}
.intro {{ font-size: 12pt; margin: 0 0 3mm; padding: 2mm 3mm; border: 0.6mm solid #6B3A00;
          background: #FFD54F; border-radius: 2mm; }}
.steps {{ display: grid; grid-template-columns: repeat(3, 1fr); gap: 3mm; }}
figure {{ margin: 0; break-inside: avoid; }}
img {{ width: 100%; height: auto; border: 0.3mm solid #6E6E6E; display: block; }}
figcaption {{ font-size: 10.5pt; line-height: 1.3; margin-top: 1mm; }}
figcaption b {{ display: inline-block; min-width: 6mm; height: 6mm; border-radius: 3mm; background: #0B3D91;
                color: #fff; text-align: center; line-height: 6mm; margin-right: 1mm; }}
@media screen {{ main {{ margin: 10mm auto; }} }}
</style></head>
<body><main>
<h1>{e(t(PM.GUIDE_TITLE))}</h1>
{ja_title}
<p class="intro">{e(t(PM.PRACTICE))}: {e(t(PM.GUIDE_INTRO, pin=pin))}</p>
<section class="steps">
{cells}
</section>
</main></body></html>
"""


async def _shoot(page, path: Path) -> int:
    """Save a JPEG once the pixels settle (the accessibility tree runs ahead of paint);
    returns the settled frame's tofu (magenta .notdef pixels, counted in a blank page)."""
    from kiosk.tools.tofu_watch import magenta

    last = b""
    for _ in range(30):
        await page.wait_for_timeout(150)
        shot = await page.screenshot(animations="disabled", caret="hide")
        if shot == last:
            break
        last = shot
    path.write_bytes(await page.screenshot(type="jpeg", quality=80, animations="disabled", caret="hide"))
    return await magenta(page, last)


async def _walk(browser, practice, code: str, n: int, folder: Path) -> tuple[list[Path], int]:
    """Book on a seat in ``code`` and pay; the 8 screenshots and their tofu pixels."""
    from playwright.async_api import expect

    day, unit, category, slot = BOOKINGS[n % len(BOOKINGS)]
    t = Translator(code)
    context = await browser.new_context(viewport=VIEWPORT, locale="ja-JP", timezone_id="Asia/Tokyo")
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    by_id = lambda i: page.locator(f'[flt-semantics-identifier="{i}"]')  # noqa: E731
    shots: list[Path] = []
    tofu = [0]

    async def shot(name: str) -> None:
        path = folder / f"{len(shots) + 1:02d}-{name}.jpg"
        tofu[0] += await _shoot(page, path)
        shots.append(path)

    async def tap(identifier: str, then: str) -> None:
        await by_id(identifier).click()
        await by_id(then).first.wait_for(state="attached")

    try:
        await page.goto(practice.seat_url(n % practice.seats + 1))
        placeholder = page.locator("flt-semantics-placeholder")
        await placeholder.wait_for(state="attached")
        await placeholder.dispatch_event("click")
        await by_id(f"lang-{code}").wait_for()
        await page.wait_for_timeout(1500)  # the band's fonts
        await shot("language")
        await tap(f"lang-{code}", "task-book")
        await shot("home")
        await tap("task-book", f"category-{category}")
        await tap(f"category-{category}", f"unit-{unit}")
        await shot("place")
        await tap(f"unit-{unit}", f"day-{day}")
        await tap(f"day-{day}", f"slot-{slot}")
        await by_id(f"slot-{slot}").click()
        await expect(by_id("selection")).to_contain_text("1")
        await shot("time")
        await tap("next", "identify-guest")
        await shot("identify")
        await tap("identify-guest", "field-name")
        # one question per screen: the name, the phone number, then "do you live here?"
        for label, value, field in ((t(M.NAME_LABEL), "Practice Learner", "field-name"),
                                    (t(M.PHONE_LABEL), f"090-0000-{n:04d}", "field-phone")):
            await by_id(field).first.wait_for(state="attached")
            box = page.get_by_role("textbox", name=label)
            for _ in range(3):  # Flutter takes focus late and may reset a field it focuses
                await box.click()
                await box.fill(value)
                try:
                    await expect(box).to_have_value(value, timeout=2_000)
                    break
                except AssertionError:
                    continue
            await by_id("next").click()
        await tap("resident-yes", "book")
        await shot("confirm")
        await tap("book", "pay-qr")
        await tap("pay-qr", "payment-qr")
        await shot("pay")
        phone = await browser.new_context(viewport={"width": 420, "height": 860})
        customer = await phone.new_page()
        await customer.goto(practice.paysim_url + "/")
        await customer.locator("a.pay").last.click()
        await customer.locator("#pay").click()
        await expect(customer.locator("#status")).to_contain_text("Paid")
        await phone.close()
        await by_id("finish").first.wait_for(state="attached")
        await shot("done")
        await by_id("finish").click()
    finally:
        await context.close()
    return shots, tofu[0]


async def make_guides(codes: list[str], out: Path, *, practice=None, browser=None, log=print) -> list[Guide]:
    """Guides for ``codes`` under ``out``; starts a practice kiosk and Chromium unless
    given them (the browser tests give theirs)."""
    from playwright.async_api import async_playwright

    from kiosk.practice.process import PracticeProcess

    out = Path(out).resolve()  # the PDF printer opens the HTML by a file:// URI
    out.mkdir(parents=True, exist_ok=True)
    own = None
    if practice is None:
        own = practice = PracticeProcess(Path(tempfile.mkdtemp(prefix="madoguchi-guides-")) / "data", seats=3)
        await asyncio.to_thread(practice.start)
    try:
        if browser is not None:
            return await _guides(browser, practice, codes, out, log)
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                return await _guides(browser, practice, codes, out, log)
            finally:
                await browser.close()
    finally:
        if own is not None:
            await asyncio.to_thread(own.stop)


async def _guides(browser, practice, codes: list[str], out: Path, log) -> list[Guide]:
    from kiosk.practice.seat import PRACTICE_IDENTITY

    guides: list[Guide] = []
    spare = iter(range(len(codes), len(BOOKINGS)))  # free times for a walk tried again
    for n, code in enumerate(codes):
        folder = out / LANGUAGES_BY_CODE[code].folder
        folder.mkdir(parents=True, exist_ok=True)
        try:
            shots, tofu = await _walk(browser, practice, code, n, folder)
        except Exception as exc:  # a busy machine: once more, at another time of the city
            waited = next((line.strip() for line in str(exc).splitlines() if "waiting for" in line), "")
            log(f"guides: {code}: {type(exc).__name__} {waited}; trying once more")
            shots, tofu = await _walk(browser, practice, code, next(spare, n), folder)
        page_html = folder / "guide.html"
        page_html.write_text(guide_html(code, [p.name for p in shots], PRACTICE_IDENTITY.auth_pin),
                             encoding="utf-8")
        context = await browser.new_context()
        printer = await context.new_page()
        await printer.goto(page_html.as_uri())
        await printer.wait_for_load_state("load")
        await printer.emulate_media(media="print")
        fits = await printer.evaluate(
            "() => { const m = document.querySelector('main'); return m.scrollHeight <= m.clientHeight + 1; }")
        pdf = folder / "guide.pdf"
        await printer.pdf(path=str(pdf), format="A4", print_background=True, prefer_css_page_size=True)
        await context.close()
        guide = Guide(code, page_html, pdf, pdf_pages(pdf.read_bytes()), tuple(shots), fits, tofu)
        guides.append(guide)
        log(f"guides: {code}: {pdf} ({guide.pages} page(s), {len(shots)} screenshots"
            f"{'' if fits else ', TOO LONG: the foot is cut off'}{f', TOFU: {tofu} px' if tofu else ''})")
    return guides


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m kiosk.tools.guides", description=__doc__.split("\n\n")[0])
    ap.add_argument("--lang", action="append", help="a language code (repeat); default: all 15")
    ap.add_argument("--out", type=Path, default=REPO / "build" / "guides", help="output folder")
    args = ap.parse_args(argv)
    codes = args.lang or [lang.code for lang in ALL_LANGUAGES if not lang.staged]
    unknown = [c for c in codes if c not in LANGUAGES_BY_CODE]
    if unknown:
        ap.error(f"unknown language(s): {', '.join(unknown)}")
    guides = asyncio.run(make_guides(codes, args.out))
    over = [g.code for g in guides if g.pages != 1 or not g.fits or g.tofu]
    if over:
        print(f"guides: not one clean page (see above): {', '.join(over)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
