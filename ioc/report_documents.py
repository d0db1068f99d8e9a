"""The weekly report's PDF, rendered by WeasyPrint from the printable page.

The PDF is the printable page itself (the same cards, maps, rankings and overdue list), laid out
for A4 by its print stylesheet `static/css/ioc-report-pdf.css` (which a browser's print uses too).
Nothing is fetched from outside the machine: the only resources the page names are the app's own
stylesheets, which `StaticFilesOnly` reads from the static files, and the maps as data: URLs; any
other address is refused (WeasyPrint then leaves that resource out). The text
is set in DejaVu Sans (Debian's fonts-dejavu-core, installed by scripts/setup.sh), found through
fontconfig: it has every Vietnamese letter and tone mark.

Links keep the site's address (`SITE_URL`), so a commune on the map or a figure in the PDF opens
its page on the site.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse


class StaticFilesOnly(URLFetcher):
    """Serves the app's static files under `SITE_URL/STATIC_URL` and data: URLs (the maps, inside
    the page); refuses every other URL."""

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        if url.startswith("data:"):  # inside the page itself (the maps as images)
            return super().fetch(url, headers)
        prefix = f"{settings.SITE_URL}/{settings.STATIC_URL.strip('/')}/"
        if not url.startswith(prefix):
            raise ValueError(f"the weekly report fetches nothing outside the app: {url}")
        relative = url[len(prefix) :].split("?", 1)[0].split("#", 1)[0]
        # The source files in development; the collected (hashed) files where a manifest storage
        # names them, in production.
        found = finders.find(relative)
        if not isinstance(found, str):
            if not staticfiles_storage.exists(relative):
                raise ValueError(f"no static file {relative}")
            found = staticfiles_storage.path(relative)
        content_type = "text/css" if relative.endswith(".css") else "application/octet-stream"
        return URLFetcherResponse(
            url, Path(found).read_bytes(), headers={"Content-Type": content_type}
        )


def pdf_from_printable_page(html: str) -> bytes:
    """The printable page as an A4 PDF (its print stylesheets apply)."""
    document = HTML(
        string=html,
        base_url=f"{settings.SITE_URL}/",
        url_fetcher=StaticFilesOnly(),
        media_type="print",
    )
    pdf = document.write_pdf()
    assert pdf is not None
    return bytes(pdf)
