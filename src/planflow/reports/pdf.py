"""The ``pdf`` reporter: the report printed as an A4 administrative document.

WeasyPrint lays out the same HTML as the ``html`` reporter (without the charts),
with the page rules of Nghị định 30/2020/NĐ-CP; the fonts are the system's (Debian:
``fonts-liberation`` for Times New Roman's metrics, ``fonts-dejavu`` as fallback),
so the PDF embeds the Vietnamese glyphs it uses and nothing is fetched.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from planflow.hooks.specs import Artifact, ReportContext, Reporter, hookimpl
from planflow.i18n import _
from planflow.plan.errors import PlanError
from planflow.reports.context import report_data
from planflow.reports.data import ReportData
from planflow.reports.html import render_html

__all__ = ["PdfReporter", "html_to_pdf", "render_pdf"]


def render_pdf(data: ReportData, *, issued: date | None = None) -> bytes:
    """The report as PDF bytes (A4), in the language in use."""
    return html_to_pdf(render_html(data, pictures=False, issued=issued))


def html_to_pdf(html: str) -> bytes:
    """An HTML document of planflow's (styles inline, nothing to fetch) printed as PDF."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: WeasyPrint found no Pango library
        raise PlanError(
            _("the pdf form needs WeasyPrint ({error})").format(error=exc),
            hint=_(
                "pip install 'planflow[report]'; on Debian also "
                "apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation"
            ),
        ) from None
    document = weasyprint.HTML(string=html, base_url=None)
    pdf: bytes = document.write_pdf()
    return pdf


class PdfReporter:
    """``<plan>-<period>.pdf``: the report to sign and send."""

    name = "pdf"
    description = "PDF report per reporting period: an A4 administrative document"
    media_type = "application/pdf"

    def report(self, context: ReportContext) -> Sequence[Artifact]:
        """One PDF file for the period."""
        data = report_data(context)
        name = f"{data.plan.id}-{data.period.id}.pdf"
        return [Artifact(name, self.media_type, render_pdf(data))]


@hookimpl(trylast=True)
def planflow_reporters() -> Sequence[Reporter]:
    """The ``pdf`` reporter."""
    return [PdfReporter()]
