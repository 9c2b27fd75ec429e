"""Random and mutated plan files never make the loader raise anything but PlanFileError.

Every problem carries a position inside the file, and the message is one
``FILE:LINE:COL: …`` line per problem.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planflow.plan.errors import PlanFileError
from planflow.plan.loading import loads
from planflow.plan.model import Plan
from planflow.plan.writing import dump_plan
from strategies import plans

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "boy_2025" / "plan.yaml"

# A realistic plan using every section and most forms; the seed for mutations.
SEED = """\
planflow: 1
plan:
  id: boy-2025
  title: "Truyền thông về cải cách hành chính và chuyển đổi số xã Bờ Y năm 2025"
  title_en: Communication on administrative reform and digital transformation
  issuer: Ủy ban nhân dân xã Bờ Y
  year: 2025
  timezone: Asia/Ho_Chi_Minh
  issued: 2025-08-20
  signed_by: Trần Thị Huyện
  notes: >-
    Kế hoạch mẫu; "Quãng Ngãi" is the source's typo.
  legal_bases:
    - verb: Căn cứ
      number: 49/QĐ-BNV
      date: 2025-03-01
      issuer: Bộ Nội vụ
      title: ban hành Kế hoạch thông tin, tuyên truyền cải cách hành chính năm 2025
calendar:
  country: VN
  shift: previous
  reminder: +3 working days
  check_in: FREQ=MONTHLY;BYMONTHDAY=-1
  days_off:
    - {date: 2025-09-01, reason: Quốc khánh}
  working_days:
    - {date: 2025-04-26, reason: Làm bù, source: QĐ 1/2025}
reporting_periods:
  - {id: q1, name: Quý I, start: 2025-01-01, end: 2025-03-31}
  - {id: h1, name: 6 tháng, name_en: Half year, start: 2025-01-01, end: 2025-06-30}
units:
  - id: vhxh
    name: Phòng Văn hóa - Xã hội
    name_en: Division of Culture and Social Affairs
    aliases: [VHXH, Phòng VH-XH]
    contacts: {email: vhxh@boy.gov.vn, phone: "0260 3 123 456"}
    channels: {email: {to: vhxh@boy.gov.vn}}
  - id: kt
    name: Phòng Kinh tế
  - id: vp
    name: Văn phòng HĐND - UBND xã
    note: Văn phòng
groups:
  - id: all-units
    name: Các cơ quan, đơn vị trên địa bàn xã
    members: [vhxh, kt, Văn phòng HĐND - UBND xã]
tasks:
  - &radio
    id: c1-radio
    ref: C.I.2.a
    title: Chuyên mục phát thanh về CCHC, CĐS
    category: [CCHC, CĐS]
    lead: Phòng VH-XH
    coordinators: [kt]
    window: Thường xuyên trong năm.
    recurrence: monthly
    target: khoảng 3 tin/tháng
    check_in: every 2 weeks
  - id: c2-report
    title: Báo cáo quý
    lead: vp
    window: Quý III, IV/2025.
    recurrence: quarterly
    period: quarter
    due: +5 working days
    reminder: 2 days before
    shift: next
    after:
      - c1-radio
      - {task: c2-report, mode: previous}
  - id: c3-meeting
    title: Hội nghị
    lead: all-units
    lead_mode: together
    window: {start: 2025-10-01, end: 2025-10-31, label: Tháng 10}
    time: 08:00-11:30
    dates: [2025-10-15]
    except: 2025-10-16
    target: {count: 1, per: window}
    after: [{task: c2-report, mode: same-period, lag: +2 working days, note: sau báo cáo}]
    notes: |
      Dòng 1
      Dòng 2
    source: {page: "3", text: Tổ chức hội nghị}
  - <<: *radio
    id: c4
    title: Tuyên truyền
    lead: vp
    window: H2/2025
    recurrence: FREQ=WEEKLY;BYDAY=MO,TH
"""

_LINE_BREAKS = ("\r\n", "\n", "\r", "\x85", "\u2028", "\u2029")
_MESSAGE = re.compile(r"plan\.yaml:(\d+):(\d+): \S")


def check_loads(text: str) -> Plan | None:
    """Load ``text``: a plan, or a PlanFileError whose every problem is located in the file."""
    try:
        return loads(text, file="plan.yaml").plan
    except PlanFileError as error:
        assert error.problems, "a PlanFileError without problems"
        lines = str(error).split("\n")
        assert len(lines) == len(error.problems), "one line per problem"
        most = sum(text.count(b) for b in _LINE_BREAKS) + 2
        for line, problem in zip(lines, error.problems, strict=True):
            match = _MESSAGE.match(line)
            assert match, line
            assert (int(match[1]), int(match[2])) == (problem.line, problem.column)
            assert problem.file == "plan.yaml"
            assert 1 <= problem.line <= most, line
            assert problem.column >= 1, line
        return None


def test_seed_is_valid() -> None:
    """The seed plan itself loads (so mutations start from a valid file)."""
    plan = check_loads(SEED)
    assert plan is not None
    assert len(plan.tasks) == 4


# --- mutations of text ---------------------------------------------------------------------

_TOKENS = [
    "", " ", "\n", "\t", ":", ": ", "- ", "-", "[", "]", "{", "}", ",", "&a ", "*a", "*radio",
    "<<: ", "!!bool ", "!!int ", "!!binary ", "!!python/object:os.system ", "!custom ", "|",
    ">-", "'", '"', "#", "%YAML 1.1\n", "---\n", "...\n", "?", "@", "`", "~", "null", "yes",
    "no", "on", "2025", "2024", "0", "-1", "1e9", "0x1F", "1_000", "2025-02-30", "2025-13-01",
    "2025-01-01T10:00:00Z", "Q5/2025", "Q4/2024", "Quý V/2025", "13/2025", "H3/2025",
    "2025-03-01..2025-02-01", "vhhx", "zz", "c1-radio", "all-units", "previous", "same period",
    "FREQ=MONTHLY;BYMONTHDAY=32", "FREQ=SECONDLY", "every blue moon", "5 times a month",
    "25:00-26:00", "11:00-08:00", "+99999999999999999999 days", "0 per year", "Bờ Y", "đ",
    "\u0301", "\ufeff", "\x85", "\u2028", "\x07", "\x00", "\ud800", "é" * 50, "9" * 40,
]  # fmt: skip
tokens = st.sampled_from(_TOKENS) | st.text(max_size=8)


@st.composite
def mutated(draw: st.DrawFn, seed: str) -> str:
    """``seed`` after a few random edits: characters, tokens, lines and indentation."""
    text = seed
    for _ in range(draw(st.integers(1, 4))):
        lines = text.split("\n")
        kind = draw(st.sampled_from(["insert", "delete", "replace", "line", "indent", "value"]))
        i = draw(st.integers(0, len(text)))
        if kind == "insert":
            text = text[:i] + draw(tokens) + text[i:]
        elif kind == "delete":
            text = text[:i] + text[i + draw(st.integers(1, 40)) :]
        elif kind == "replace":
            text = text[:i] + draw(tokens) + text[i + draw(st.integers(1, 10)) :]
        elif kind == "line":
            n = draw(st.integers(0, len(lines) - 1))
            m = draw(st.integers(0, len(lines) - 1))
            op = draw(st.sampled_from(["drop", "copy", "swap"]))
            if op == "drop":
                del lines[n]
            elif op == "copy":
                lines.insert(m, lines[n])
            else:
                lines[n], lines[m] = lines[m], lines[n]
            text = "\n".join(lines)
        elif kind == "indent":
            n = draw(st.integers(0, len(lines) - 1))
            shift = draw(st.integers(-4, 4))
            lines[n] = " " * shift + lines[n] if shift > 0 else lines[n][-shift:]
            text = "\n".join(lines)
        else:  # replace the value after a key
            keyed = [n for n, line in enumerate(lines) if ": " in line]
            n = keyed[draw(st.integers(0, len(keyed) - 1))]
            key = lines[n].split(": ", 1)[0]
            lines[n] = f"{key}: {draw(tokens)}"
            text = "\n".join(lines)
    return text


@given(mutated(SEED))
def test_mutated_seed(text: str) -> None:
    """Random edits of a realistic plan give a plan or located PlanFileErrors, nothing else."""
    check_loads(text)


_example_text = EXAMPLE.read_text(encoding="utf-8") if EXAMPLE.is_file() else ""


@pytest.mark.skipif(not _example_text, reason="examples/boy_2025/plan.yaml not written yet")
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(mutated(_example_text or "a: 1"))
def test_mutated_example(text: str) -> None:
    """Random edits of the Bờ Y example plan give a plan or located PlanFileErrors."""
    check_loads(text)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(plans().map(dump_plan).flatmap(mutated))
def test_mutated_generated_plans(text: str) -> None:
    """Random edits of generated plans give a plan or located PlanFileErrors."""
    check_loads(text)


@given(st.text(max_size=300))
def test_random_text(text: str) -> None:
    """Any text at all gives located PlanFileErrors (or, by luck, a plan)."""
    check_loads(text)


@given(st.binary(max_size=200))
def test_random_bytes_as_file(data: bytes) -> None:
    """Any bytes in a file give located PlanFileErrors (tmp file through load())."""
    import tempfile

    from planflow.plan.loading import load

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plan.yaml"
        path.write_bytes(data)
        try:
            load(path)
        except PlanFileError as error:
            for problem in error.problems:
                assert problem.line >= 1
                assert str(problem).startswith(f"{path}:{problem.line}:{problem.column}: ")


# --- structured mutations: valid YAML, wrong values ----------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.dates(),
    st.sampled_from(_TOKENS[40:]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.text(max_size=10) | st.sampled_from(sorted(_TOKENS[40:60])), inner, max_size=4
        )
    ),
    max_leaves=12,
)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out += _paths(item, (*path, i))
    return out


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {k: _replace(v, rest, new) if k == head else v for k, v in value.items()}
    return [_replace(v, rest, new) if i == head else v for i, v in enumerate(value)]


_SEED_DATA = yaml.safe_load(SEED)
_SEED_PATHS = _paths(_SEED_DATA)


@st.composite
def shuffled_documents(draw: st.DrawFn) -> str:
    """The seed plan with a few values (anywhere in the tree) replaced by random ones."""
    data = _SEED_DATA
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_SEED_PATHS))
        try:
            data = _replace(data, path, draw(values))
        except (KeyError, IndexError, TypeError):
            continue  # the path went away with an earlier replacement
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@given(shuffled_documents())
def test_wrong_values_anywhere(text: str) -> None:
    """Valid YAML with wrong values anywhere in the plan gives located PlanFileErrors."""
    check_loads(text)


@given(values)
def test_random_documents(value: Any) -> None:
    """Any YAML document at all gives located PlanFileErrors."""
    check_loads(yaml.safe_dump(value, allow_unicode=True))


def test_check_loads_accepts_valid_dates() -> None:
    """The checker passes a loaded plan through (sanity check of the helper)."""
    plan = check_loads(SEED)
    assert plan is not None
    assert plan.issued == date(2025, 8, 20)
