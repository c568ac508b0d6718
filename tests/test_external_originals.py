"""External originals (DESIGN §5–§6): a wire story carried by a corpus outlet is the wire's text.

The corpus holds an agency story as a newspaper carried it (the agency's dateline and byline on
it); articles that reuse it are judged against the agency, not the carrier: a credit to the
agency, or to the carrier that credits it, satisfies attribution; the report's original has no
corpus id, says it is external and names the carrying copy. All texts are written for these tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from corpus_kit import front_matter, write
from typer.testing import CliRunner

from provenance.cli import app
from provenance.engine import build_index, scan
from provenance.rules import load_rules

STORY = (
    "The regional port authority approved on Tuesday a plan to deepen the Eastwater shipping channel by two "
    "metres, a project expected to cost 180 million dollars over four years. The authority's board voted five "
    "to two after a hearing that lasted more than six hours.\n\n"
    "Dredging will begin next spring and will be carried out in stages so that ferries to the islands can keep "
    "running. Environmental groups said they would ask a court to review the decision, arguing that the plan "
    "does not protect the oyster beds near the river mouth.\n\n"
    "Supporters said deeper water would let larger container ships call at the port and bring several hundred "
    "jobs to the docks. The port handled a record number of containers last year despite the narrow channel.\n"
)
OWN = (
    "Harbor Times reporters spent a week on the night shift at the container terminal. Crane operators described "
    "twelve-hour shifts, a shortage of trained drivers and long waits for trucks at the gate. The terminal manager "
    "said new hiring would start in the autumn and that a training centre would open on the north quay.\n"
)
NOTICE = ("© 2024 The Associated Press. All rights reserved. This material may not be published, broadcast, "
          "rewritten or redistributed.")
RULES = """publisher = "Valley Times"
[defaults]
policy = "attribution-required"
"""


def _corpus(root: Path, notice: bool) -> None:
    carried = "PORTVILLE (AP) — " + STORY + (f"\n{NOTICE}\n" if notice else "")
    write(root / "corpus" / "harbor-1.md", front_matter(carried, id="harbor-1", title="Port board backs dredging",
                                                         source="Harbor Times", published="2024-07-15"))
    write(root / "corpus" / "harbor-2.md", front_matter(OWN, id="harbor-2", title="A week at the terminal",
                                                         source="Harbor Times", published="2024-07-10"))
    write(root / "corpus" / "post-1.md", front_matter("By The Associated Press\n" + STORY, id="post-1",
                                                       source="Valley Post", published="2024-07-16"))


def _scan(root: Path, rules: str, notice: bool = False) -> dict[str, dict]:
    write(root / "provenance.toml", rules)
    _corpus(root, notice)
    loaded = load_rules(root / "provenance.toml")
    build_index([root / "corpus"], str(root / "index.sqlite"), loaded)
    report = scan([root / "incoming"], str(root / "index.sqlite"), loaded)
    return {Path(item.path).name: item for item in report.items}


@pytest.fixture
def incoming(tmp_path: Path) -> Path:
    write(tmp_path / "incoming" / "credits-wire.md", "PORTVILLE (AP) — " + STORY)
    write(tmp_path / "incoming" / "credits-wire-by-name.md", STORY + "\nSource: The Associated Press\n")
    write(tmp_path / "incoming" / "credits-carrier.md", STORY + "\nSource: Harbor Times\n")
    write(tmp_path / "incoming" / "no-credit.md", STORY)
    write(tmp_path / "incoming" / "credits-another.md", STORY + "\nSource: Lakeside Herald\n")
    write(tmp_path / "incoming" / "carrier-own.md", OWN)
    return tmp_path


def test_a_wire_story_is_the_wires_whoever_carried_it_first(incoming: Path) -> None:
    items = _scan(incoming, RULES)
    for name in ("credits-wire.md", "credits-wire-by-name.md", "credits-carrier.md"):
        item = items[name]
        assert item.verdict == "attributed", (name, item.message)
        assert item.source["id"] is None and item.source["external"] is True and item.source["via"] == "harbor-1"
        assert item.source["name"] == "Associated Press" or item.source["name"] == "AP"
        assert item.chain[0] == {"id": None, "name": item.source["name"], "published": None, "external": True}
        assert [step["id"] for step in item.chain[1:]] == ["harbor-1", "post-1"]
    assert items["no-credit.md"].verdict == "unattributed"
    assert "story “Port board backs dredging” (via Harbor Times harbor-1, 2024-07-15)" in items["no-credit.md"].message
    assert items["credits-another.md"].verdict == "misattributed"
    # The carrier's own reporting stays the carrier's.
    assert items["carrier-own.md"].source["id"] == "harbor-2" and not items["carrier-own.md"].source.get("external")


def test_the_wires_notice_is_the_wires_policy_and_subscriptions_license_it(incoming: Path) -> None:
    items = _scan(incoming, RULES, notice=True)
    assert items["no-credit.md"].verdict == "prohibited", items["no-credit.md"].message
    assert "Associated Press" in items["no-credit.md"].source["policy_from"]
    assert items["credits-wire.md"].verdict == "prohibited"  # a credit does not license a no-reprint story
    assert items["carrier-own.md"].verdict == "unattributed"  # the carrier's own text keeps its own policy
    subscribed = _scan(incoming, 'subscriptions = ["Associated Press"]\n' + RULES, notice=True)
    assert subscribed["no-credit.md"].verdict == "unattributed"
    assert subscribed["credits-wire.md"].verdict == "attributed"


def test_every_output_names_the_external_original(incoming: Path) -> None:
    _scan(incoming, RULES)
    runner = CliRunner()
    base = ["scan", str(incoming / "incoming" / "no-credit.md"), "--index", str(incoming / "index.sqlite"),
            "--rules", str(incoming / "provenance.toml")]
    table = runner.invoke(app, [*base, "-f", "table"])
    assert "Associated Press (via" in table.output and "harbor-1)" in table.output  # wrapped at 80 columns
    report = json.loads(runner.invoke(app, [*base, "-f", "json"]).output)
    assert report["items"][0]["source"]["external"] is True
    sarif = json.loads(runner.invoke(app, [*base, "-f", "sarif"]).output)
    result = sarif["runs"][0]["results"][0]
    assert result["properties"]["originalExternal"] is True and result["properties"]["originalVia"] == "harbor-1"
    assert "outside the corpus" in result["relatedLocations"][0]["message"]["text"]
    html = runner.invoke(app, [*base, "-f", "html"]).output
    assert "outside the corpus, via harbor-1" in html
    explained = runner.invoke(app, ["explain", str(incoming / "incoming" / "no-credit.md"), "--index",
                                    str(incoming / "index.sqlite"), "--rules", str(incoming / "provenance.toml")])
    assert "(outside the corpus; credited as the origin by harbor-1)" in explained.output
