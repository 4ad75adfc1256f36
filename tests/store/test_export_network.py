"""Network exports: reply / repost / mention and co-hashtag networks that open in networkx, with
pseudonymised nodes, first-interaction times and no small cells."""

from __future__ import annotations

import csv
from datetime import datetime

import networkx as nx
import pytest

from groundswell.cli import main
from groundswell.errors import InputError
from groundswell.schema import Post
from groundswell.store import Store
from groundswell.store.network import export_network

ALICE, BOB, CAROL = "alice_raw_id_111", "bob_raw_id_222", "carol_raw_id_333"
RAW = (ALICE, BOB, CAROL, "alice_handle", "bob_handle", "dana_handle", "tag_raw_author")


def _post(pid: str, author: str, day: int, **kw) -> Post:
    return Post(
        platform="twitter",
        id=pid,
        text=kw.pop("text", f"post {pid}"),
        author=author,
        created_at=datetime(2024, 1, day, 10, 0),
        **kw,
    )


def _planted(path) -> Store:
    store = Store(path)
    posts = [
        _post("t1", ALICE, 1, mentions=["bob_handle", "@Dana_Handle"], text="hi @bob_handle"),
        _post("t2", BOB, 2, reply_to="t1"),
        _post("t3", CAROL, 3, reply_to="t1"),
        _post("t4", CAROL, 4, reply_to="t1"),
        _post("t5", ALICE, 5, reply_to="t1"),  # a thread: no self-loop
        _post("t6", BOB, 6, reply_to="gone"),  # parent not in the store: no edge
        _post("r1", CAROL, 7, repost_of="t2"),
        _post("r2", CAROL, 8, repost_of="t2"),
        _post("r3", CAROL, 9, repost_of="t1"),  # beside carol's replies to alice: parallel edges
    ]
    # #metoo + #believe by 12 distinct authors (kept); #metoo + #rare by 9 authors in 18 posts
    posts += [
        _post(f"h{i}", f"tag_raw_author_{i}", 10 + i, hashtags=["#metoo", "#believe"])
        for i in range(12)
    ]
    posts += [
        _post(f"s{i}", f"tag_raw_author_{i % 9}", 9, hashtags=["#metoo", "#rare"])
        for i in range(18)
    ]
    store.write_batch(posts)
    return store


def _mention(store: Store, handle: str) -> str:
    return store.pseudonym("twitter", handle)


def test_interactions_gexf_has_the_planted_edges_and_times(tmp_path):
    out = tmp_path / "net.gexf"
    with _planted(tmp_path / "s.duckdb") as store:
        nodes, edges = export_network(store, "gexf", out)
        a, b, c = (store.pseudonym("twitter", x) for x in (ALICE, BOB, CAROL))
        bob_h, dana_h = _mention(store, "bob_handle"), _mention(store, "dana_handle")
    g = nx.read_gexf(out)
    assert g.graph["mode"] == "dynamic"
    assert isinstance(g, nx.MultiDiGraph)
    got = {(u, v, d["kind"]): (d["start"], d["weight"]) for u, v, d in g.edges(data=True)}
    assert got == {
        (b, a, "reply"): ("2024-01-02T10:00:00Z", 1),
        (c, a, "reply"): ("2024-01-03T10:00:00Z", 2),
        (c, b, "repost"): ("2024-01-07T10:00:00Z", 2),
        (c, a, "repost"): ("2024-01-09T10:00:00Z", 1),
        (a, bob_h, "mention"): ("2024-01-01T10:00:00Z", 1),
        (a, dana_h, "mention"): ("2024-01-01T10:00:00Z", 1),
    }
    assert (nodes, edges) == (g.number_of_nodes(), g.number_of_edges()) == (5, 6)
    assert g.nodes[a]["start"] == "2024-01-01T10:00:00Z"
    assert g.nodes[c]["start"] == "2024-01-03T10:00:00Z"
    assert 'timeformat="date"' in out.read_text()


def test_graphml_and_edge_list_carry_the_same_network(tmp_path):
    with _planted(tmp_path / "s.duckdb") as store:
        export_network(store, "gexf", tmp_path / "net.gexf")
        export_network(store, "graphml", tmp_path / "net.graphml")
        nodes, edges = export_network(store, "edges", tmp_path / "net.csv")
    gexf = nx.read_gexf(tmp_path / "net.gexf")
    graphml = nx.read_graphml(tmp_path / "net.graphml")
    with open(tmp_path / "net.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["source", "target", "kind", "time", "weight"]
    as_rows = {(r["source"], r["target"], r["kind"], r["time"], int(r["weight"])) for r in rows}
    for g in (gexf, graphml):
        assert {
            (u, v, d["kind"], d["start"], int(d["weight"])) for u, v, d in g.edges(data=True)
        } == as_rows
    assert (nodes, edges) == (5, 6)


def test_cohashtag_network_keeps_only_pairs_of_ten_authors(tmp_path):
    with _planted(tmp_path / "s.duckdb") as store:
        for to in ("gexf", "graphml", "edges"):
            export_network(store, to, tmp_path / f"tags.{to}", network="hashtags")
        with pytest.raises(InputError, match="below the codebook"):
            export_network(store, "gexf", tmp_path / "x.gexf", network="hashtags", min_authors=9)
        assert export_network(
            store, "edges", tmp_path / "none.csv", network="hashtags", min_authors=13
        ) == (0, 0)
    for g in (nx.read_gexf(tmp_path / "tags.gexf"), nx.read_graphml(tmp_path / "tags.graphml")):
        assert not g.is_directed()
        assert set(g.nodes) == {"#metoo", "#believe"}
        ((u, v, d),) = g.edges(data=True)
        assert {u, v} == {"#metoo", "#believe"}
        assert int(d["weight"]) == 12 and int(d["authors"]) == 12
        assert d["start"] == "2024-01-10T10:00:00Z"
    with open(tmp_path / "tags.edges", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["source"], r["target"], r["kind"], r["weight"]) for r in rows] == [
        ("#believe", "#metoo", "co-hashtag", "12")
    ]
    assert "#rare" not in (tmp_path / "tags.gexf").read_text()


def test_no_raw_author_id_or_handle_in_any_network_file(tmp_path):
    with _planted(tmp_path / "s.duckdb") as store:
        for network in ("interactions", "hashtags"):
            for to in ("gexf", "graphml", "edges"):
                export_network(store, to, tmp_path / f"{network}.{to}", network=network)
    files = sorted(tmp_path.glob("interactions.*")) + sorted(tmp_path.glob("hashtags.*"))
    assert len(files) == 6
    for f in files:
        text = f.read_text(encoding="utf-8").lower()
        for raw in RAW:
            assert raw.lower() not in text, (f.name, raw)


def test_cli_writes_networks_and_refuses_the_store(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    _planted(db).close()
    out = tmp_path / "n.gexf"
    assert main(["export", "--db", str(db), "--to", "gexf", "--out", str(out)]) == 0
    assert "wrote 5 nodes and 6 edges" in capsys.readouterr().err
    assert nx.read_gexf(out).number_of_edges() == 6
    argv = ["export", "--db", str(db), "--to", "edges", "--network", "hashtags"]
    assert main([*argv, "--out", str(tmp_path / "t.csv")]) == 0
    assert "wrote 2 nodes and 1 edges" in capsys.readouterr().err
    assert main([*argv, "--min-authors", "9", "--out", str(tmp_path / "t.csv")]) == 2
    assert main([*argv, "--out", str(db)]) == 2
    assert "refusing to write over the store" in capsys.readouterr().err


def test_cohashtag_network_survives_a_post_of_10000_tags(tmp_path):
    """One post carrying 10,000 hashtags (by one author) made 50 M tag pairs and the export
    stopped with 'out of memory' (exit 3); a pair needs 10 authors, so only tags that 10
    authors used are paired now, and the network is the one without that post."""
    with _planted(tmp_path / "s.duckdb") as store:
        spam = [f"#tag{i}" for i in range(10_000)]
        store.write_batch([_post("spam", "spammer", 20, hashtags=["#metoo", *spam])])
        assert export_network(store, "edges", tmp_path / "tags.csv", network="hashtags") == (2, 1)
    with open(tmp_path / "tags.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["source"], r["target"], r["weight"]) for r in rows] == [("#believe", "#metoo", "12")]


def test_a_tag_with_control_characters_still_makes_readable_xml(tmp_path):
    """Tags holding control characters (an ESC sequence, a NUL, U+FFFE, kept from an export)
    made GEXF and GraphML files that Gephi and networkx refuse ("not well-formed"); such a
    character now reads U+FFFD in the node's name, the edge list keeps the tag as stored."""
    odd = ["#esc\x1b[31mred", "#nul\x00x", "#\ufffebad"]
    with _planted(tmp_path / "s.duckdb") as store:
        store.write_batch(
            [_post(f"c{i}", f"ctl_author_{i}", 11, hashtags=["#metoo", *odd]) for i in range(12)]
        )
        for to in ("gexf", "graphml"):
            export_network(store, to, tmp_path / f"tags.{to}", network="hashtags")
        export_network(store, "edges", tmp_path / "tags.csv", network="hashtags")
    for g in (nx.read_gexf(tmp_path / "tags.gexf"), nx.read_graphml(tmp_path / "tags.graphml")):
        assert {"#esc\ufffd[31mred", "#nul\ufffdx", "#\ufffdbad", "#metoo"} <= set(g.nodes)
    assert "#esc\x1b[31mred" in (tmp_path / "tags.csv").read_text(encoding="utf-8")


def test_a_clock_error_date_gives_no_time_and_stretches_no_timeline(tmp_path):
    """A zero epoch (1970) or a post dated 9999 is a clock error (``store.dates``): the edge's
    time is its first interaction on a day series count on, or none when it has no such day,
    so Gephi's timeline does not run from 1970; the weight still counts every interaction."""
    stamps = [datetime(1970, 1, 1), datetime(2017, 10, 16, 9), datetime(9999, 12, 31)]
    posts = [_post("t1", ALICE, 1), _post("t9", CAROL, 1)]
    posts += [
        Post(platform="twitter", id=f"r{i}", text="me too", author=BOB, created_at=when,
             reply_to="t1")
        for i, when in enumerate(stamps)
    ]  # fmt: skip
    posts.append(
        Post(platform="twitter", id="z", text="hi", author=ALICE, reply_to="t9",
             created_at=datetime(1970, 1, 1))
    )  # fmt: skip
    posts += [
        Post(platform="twitter", id=f"h{i}", text="#metoo #believe", author=f"tagger{i}",
             created_at=datetime(1970, 1, 1) if i == 0 else datetime(2017, 10, 15 + i),
             hashtags=["#metoo", "#believe"])
        for i in range(12)
    ]  # fmt: skip
    with Store(tmp_path / "s.duckdb") as store:
        store.write_batch(posts)
        a, b, c = (store.pseudonym("twitter", x) for x in (ALICE, BOB, CAROL))
        export_network(store, "gexf", tmp_path / "net.gexf")
        export_network(store, "edges", tmp_path / "net.csv")
        export_network(store, "gexf", tmp_path / "tags.gexf", network="hashtags")
    g = nx.read_gexf(tmp_path / "net.gexf")
    edges = {(u, v, d["kind"]): d for u, v, d in g.edges(data=True)}
    reply = edges[b, a, "reply"]
    assert (reply["start"], int(reply["weight"])) == ("2017-10-16T09:00:00Z", 3)
    assert g.nodes[b]["start"] == g.nodes[a]["start"] == "2017-10-16T09:00:00Z"
    only_1970 = edges[a, c, "reply"]  # its one interaction is a clock error: no time
    assert "start" not in only_1970 and "start" not in g.nodes[c]
    with open(tmp_path / "net.csv", newline="", encoding="utf-8") as fh:
        times = {r["time"] for r in csv.DictReader(fh)}
    assert not any(t.startswith(("1970", "9999")) for t in times)
    ((_, _, pair),) = nx.read_gexf(tmp_path / "tags.gexf").edges(data=True)
    assert (pair["start"], int(pair["weight"])) == ("2017-10-16T00:00:00Z", 12)
