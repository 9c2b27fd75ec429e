"""The task dependency graph: order, longest chain, exports."""

from __future__ import annotations

import json

import networkx as nx
import pytest

from planflow.plan import graph
from planflow.plan.errors import CycleError
from planflow.plan.loading import loads
from plans import docs_example

CHAIN = """
plan: {id: chain, title: "Chuỗi", issuer: "UBND xã", year: 2025}
units: [{id: u, name: "Đơn vị"}]
tasks:
  - {id: c, title: "C", lead: u, window: Q4/2025, after: [b]}
  - {id: a, title: "A", lead: u, window: Q1/2025}
  - {id: b, title: "B", lead: u, window: Q2/2025, after: [{task: a, lag: +2 working days}]}
  - {id: d, title: "D", lead: u, window: Q2/2025, after: [a]}
  - {id: e, title: "E", lead: u, window: 2025}
"""


@pytest.fixture
def chain():
    return loads(CHAIN, file="chain.yaml").plan


def test_edges_point_from_predecessor_to_dependent(chain):
    """An edge a → b means b waits for a, with the dependency's mode and lag."""
    g = graph.build_graph(chain)
    assert set(g.edges) == {("b", "c"), ("a", "b"), ("a", "d")}
    assert g.edges["a", "b"] == {"mode": "task", "lag": "+2 working days"}


def test_topological_order_respects_dependencies_and_plan_order(chain):
    """Every task comes after what it waits for; independent tasks keep plan order."""
    assert graph.topological_order(chain) == ["a", "b", "c", "d", "e"]


def test_longest_chain(chain):
    """The longest chain of dependent tasks is a → b → c."""
    assert graph.longest_chain(chain) == ["a", "b", "c"]


def test_check_graph_prints_cycle_as_path():
    """A cycle is reported as a path that closes on itself."""
    g = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a")])
    with pytest.raises(CycleError) as info:
        graph.check_graph(g)
    nodes = info.value.cycle
    assert nodes[0] == nodes[-1] and set(nodes) == {"a", "b", "c"} and len(nodes) == 4
    assert " → ".join(nodes) in str(info.value)


def test_text_export(chain):
    """The text view lists each task with its lead and what it waits for, then the chain."""
    text = graph.to_text(chain)
    assert "b — u ← a (task, +2 working days)" in text
    assert "longest chain (3 tasks): a → b → c" in text


def test_dot_export_is_valid_shape(chain):
    """DOT has one node statement per task and one edge per dependency, labelled by mode."""
    dot = graph.to_dot(chain)
    assert dot.startswith('digraph "chain" {')
    assert dot.count(" -> ") == 3
    assert '"a" -> "b" [label="task +2 working days"];' in dot


def test_mermaid_export(chain):
    """Mermaid declares each node once and each edge with its mode."""
    mermaid = graph.to_mermaid(chain)
    lines = mermaid.splitlines()
    assert lines[0] == "flowchart LR"
    assert sum("-->|task|" in line for line in lines) == 3


def test_json_export_round_trips():
    """JSON lists nodes with refs, edges with modes, the order and the longest chain."""
    plan = loads(docs_example(), file="plan.yaml").plan
    data = json.loads(graph.to_json(plan))
    assert {
        "from": "radio-programme",
        "to": "radio-rebroadcast",
        "mode": "same-period",
        "lag": "+0 days",
    } in data["edges"]
    refs = {n["id"]: n["ref"] for n in data["nodes"]}
    assert refs["dx-day"] == "C.I.3.a"
    assert data["order"].index("unit-report") < data["order"].index("consolidated-report")
    assert len(data["longest_chain"]) == 2
