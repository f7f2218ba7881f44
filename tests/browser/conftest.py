"""Browser test fixtures: a real kiosk process, real headless Chromium, a driver.

See tests/browser/README.md. Every test here runs on pytest-asyncio's session event
loop (one Chromium for the whole run) and is marked ``browser``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, async_playwright

from .server import REPO, CentralServer, KioskServer
from .ui import CHROMIUM, CHROMIUM_ARGS, KIOSK_VIEWPORT, Artifacts, KioskUI, open_ui

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    session_loop = pytest.mark.asyncio(loop_scope="session")
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)
            if item.get_closest_marker("asyncio") is not None or _is_coroutine(item):
                item.add_marker(session_loop, append=False)


def _is_coroutine(item: pytest.Item) -> bool:
    import inspect

    return inspect.iscoroutinefunction(getattr(item, "function", None))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the item, so fixtures can save evidence on failure.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _failed(request: pytest.FixtureRequest) -> bool:
    return any(getattr(getattr(request.node, f"report_{w}", None), "failed", False)
               for w in ("setup", "call"))


# -- artifacts ----------------------------------------------------------------------------
@pytest.fixture(scope="session")
def artifacts_root() -> Path:
    root = Path(os.environ.get("MADOGUCHI_TEST_ARTIFACTS") or REPO / "test-artifacts")
    root.mkdir(parents=True, exist_ok=True)
    return root


@pytest.fixture
def artifacts(artifacts_root: Path, request: pytest.FixtureRequest) -> Artifacts:
    return Artifacts(artifacts_root, Path(request.node.path).stem, request.node.name)


# -- the kiosk process ------------------------------------------------------------------
@pytest.fixture(scope="module")
def kiosk_env() -> dict[str, str]:
    """Extra MADOGUCHI_* settings of the module's kiosk; override it in a test module."""
    return {}


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralServer]:
    """A central server for the module: ``kiosk_env`` returning ``central.kiosk_env``
    makes the module's kiosk online (bookings confirmed, not provisional)."""
    server = CentralServer(tmp_path_factory.mktemp("central")).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def kiosk(kiosk_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[KioskServer]:
    """One kiosk per test module (its own data dir: bookings persist within the module)."""
    server = KioskServer(tmp_path_factory.mktemp("kiosk"), kiosk_env).start()
    yield server
    server.stop()


@pytest.fixture
def start_kiosk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., KioskServer]]:
    """Start a kiosk of this test's own: ``server = start_kiosk({"MADOGUCHI_...": "..."})``.
    ``prepare(data_dir)`` runs first, e.g. to fill the kiosk's cache with bookings."""
    started: list[KioskServer] = []

    def start(env: dict[str, str] | None = None,
              prepare: Callable[[Path], None] | None = None) -> KioskServer:
        data_dir = tmp_path_factory.mktemp("kiosk")
        if prepare is not None:
            prepare(data_dir)
        server = KioskServer(data_dir, env).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


# -- Chromium and the driver --------------------------------------------------------------
@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `make setup` (Debian package chromium)")
    async with async_playwright() as p:
        chromium = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


@pytest.fixture
def viewport() -> dict[str, int]:
    """The screen size of ``ui``; override or parametrize it in a test module."""
    return dict(KIOSK_VIEWPORT)


@pytest_asyncio.fixture(loop_scope="session")
async def new_ui(browser: Browser, artifacts: Artifacts, viewport: dict[str, int],
                 request: pytest.FixtureRequest) -> AsyncIterator[Callable]:
    """Open more pages: ``ui2 = await new_ui(server.url, viewport={...})``. Each is a
    fresh browser context (a fresh kiosk session); all close after the test, and on a
    failure each leaves a screenshot and the kiosk log in the test's artifacts."""
    opened: list[KioskUI] = []

    async def open_(url: str, *, viewport: dict[str, int] | None = None) -> KioskUI:
        ui = await open_ui(browser, url, artifacts, viewport=viewport or _viewport)
        opened.append(ui)
        return ui

    _viewport = viewport
    yield open_
    for ui in opened:
        if _failed(request):
            try:
                path = artifacts.path("failure")
                path.write_bytes(await ui.page.screenshot())
            except Exception:  # the page may be gone: the report matters more
                pass
        await ui.page.context.close()


@pytest_asyncio.fixture(loop_scope="session")
async def ui(new_ui, kiosk: KioskServer, artifacts: Artifacts,
             request: pytest.FixtureRequest) -> AsyncIterator[KioskUI]:
    """The module's kiosk on its language screen, in a fresh browser context."""
    page = await new_ui(kiosk.url)
    yield page
    if _failed(request):
        artifacts.path("kiosk-log", ".txt").write_text(kiosk.log_tail(200))
