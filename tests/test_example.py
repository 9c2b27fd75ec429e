"""The Bờ Y 2025 example against its source document (../shared/seed, copied facts below)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from planflow.plan import forms, graph
from planflow.plan.loading import load
from planflow.plan.model import Group
from plans import EXAMPLE_DIR

SOURCE = Path(__file__).resolve().parent / "data" / "boy_2025_source.vi.txt"

# Section C of the plan, as the source document assigns it (lead, coordinators); the
# unit slugs are those of the structured translation's unit table.
SECTION_C = {
    "C.I.1": ("vhxh", ["units_all"]),
    "C.I.2.a": ("ttvh", ["web"]),
    "C.I.2.b": ("web", ["vhxh", "units_related"]),
    "C.I.2.c": ("vhxh", ["radio", "units_related"]),
    "C.I.2.d": ("vp", ["units_related"]),
    "C.I.3.a": ("bcd", ["vhxh", "units_related"]),
    "C.I.3.b": ("vhxh", ["units_related"]),
    "C.I.3.c": ("vhxh", ["units_related"]),
    "C.I.3.d": ("schools", ["units_related"]),
    "C.I.3.đ": ("doantn", ["units_related", "thon_tdp"]),
    "C.I.3.e": ("ca", ["units_all", "thon_tdp"]),
    "C.II.1": ("ttphcc", ["web"]),
    "C.II.2": ("web", ["units_related"]),
    "C.II.3": ("vhxh", ["units_all"]),
    "C.II.4": ("vhxh", ["ttvh", "web"]),
    "C.II.5": ("vhxh", ["ttvh", "web"]),
    "C.II.6": ("vhxh", ["units_related"]),
    "C.II.7": ("units_all", ["vhxh"]),
}


@pytest.fixture(scope="module")
def loaded():
    return load(EXAMPLE_DIR)


def _flat(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"(?<=\S)-[ \t]*\n\s*", "-", text)  # a number wrapped after its hyphen: "57-\nNQ"
    return re.sub(r"\s+", " ", text).strip()


def test_every_section_c_task_is_encoded_once_per_clause(loaded) -> None:
    """All 18 clauses of section C are there (C.I.2.c as programme + rebroadcasts)."""
    refs = [t.ref for t in loaded.plan.tasks if t.ref.startswith("C.")]
    assert set(refs) == set(SECTION_C)
    assert len(SECTION_C) == 18
    assert refs.count("C.I.2.c") == 2 and len(refs) == 19


@pytest.mark.parametrize("ref", sorted(SECTION_C))
def test_lead_and_coordinators_match_the_document(loaded, ref: str) -> None:
    """Each task's lead and coordinating units are the ones the document names."""
    lead, coordinators = SECTION_C[ref]
    for task in (t for t in loaded.plan.tasks if t.ref == ref):
        assert task.lead == lead
        assert list(task.coordinators) == coordinators


def test_source_wording_of_leads_resolves_to_the_lead(loaded) -> None:
    """The document's own words for each lead name that unit through its aliases."""
    plan = loaded.plan
    names = {}
    for unit in plan.units:
        for spelling in (unit.name, *unit.aliases):
            names[forms.normalise_name(spelling)] = unit.id
    for task in plan.tasks:
        wording = task.source.get("lead")
        if not wording or not task.ref.startswith("C."):
            continue
        wording = wording.replace("(1)", "")  # the footnote marker on the steering committee
        assert names.get(forms.normalise_name(wording)) == task.lead, (task.ref, wording)


def test_titles_are_the_documents_words(loaded) -> None:
    """Every section C title appears verbatim in the original Vietnamese text."""
    source = _flat(SOURCE.read_text(encoding="utf-8"))
    for task in loaded.plan.tasks:
        if task.ref.startswith("C.") and task.id != "dx-radio-rebroadcast":
            assert _flat(task.title).rstrip(".") in source, task.ref


def test_units_keep_exact_vietnamese_names(loaded) -> None:
    """Unit names are NFC and spelled as in the document."""
    plan = loaded.plan
    assert plan.unit("bcd").name == (
        "Ban chỉ đạo của UBND xã Bờ Y về phát triển khoa học, công nghệ, đổi mới sáng tạo, "
        "chuyển đổi số và Đề án 06"
    )
    assert plan.unit("ttvh").name == "Trung tâm Văn hóa – thể thao – du lịch và truyền thông"
    assert "Trang Thông điện tử xã" in plan.unit("web").aliases  # the document's typo, kept
    for unit in plan.units:
        assert unicodedata.normalize("NFC", unit.name) == unit.name


def test_legal_bases(loaded) -> None:
    """The three documents of the preamble, with their dates."""
    numbers = {b.number: b.date.isoformat() for b in loaded.plan.legal_bases if b.date}
    assert numbers["49/QĐ-BNV"] == "2025-03-01"
    assert numbers["393/QĐ-UBND"] == "2025-07-14"
    assert numbers["109/QĐ-UBND"] == "2025-07-23"


def test_windows_as_written(loaded) -> None:
    """Q4, Q3–Q4 and "throughout the year" windows read as the document writes them."""
    plan = loaded.plan
    by_ref = {t.ref: t for t in plan.tasks}
    assert (
        by_ref["C.I.3.a"].window.start.isoformat(),
        by_ref["C.I.3.a"].window.end.isoformat(),
    ) == ("2025-10-01", "2025-12-31")
    assert by_ref["C.I.3.c"].window.start.isoformat() == "2025-07-01"
    assert by_ref["C.II.3"].window.start.isoformat() == "2025-07-01"
    for ref in ("C.II.1", "C.II.2", "C.II.4", "C.II.5", "C.II.7"):
        assert by_ref[ref].window.continuous, ref


def test_reporting_chain_is_in_the_graph(loaded) -> None:
    """Units' periodic reports → steering committee's consolidated report (E.6)."""
    plan = loaded.plan
    g = graph.build_graph(plan)
    unit_report = next(t for t in plan.tasks if t.lead == "units_related")
    consolidated = next(t for t in plan.tasks if t.lead == "bcd" and t.after)
    assert isinstance(plan.unit(unit_report.lead), Group)
    assert g.has_edge(unit_report.id, consolidated.id)
    assert g.edges[unit_report.id, consolidated.id]["mode"] == "all"
    order = graph.topological_order(plan)
    assert order.index(unit_report.id) < order.index(consolidated.id)
    assert [p.name for p in plan.reporting_periods] == ["Quý I", "6 tháng", "9 tháng", "Năm"]


def test_rebroadcasts_wait_for_the_months_programme(loaded) -> None:
    """The implied dependency of C.I.2.c: rebroadcasts wait for that month's programme."""
    g = graph.build_graph(loaded.plan)
    assert g.edges["dx-radio-programme", "dx-radio-rebroadcast"]["mode"] == "same-period"
