"""Export the store's networks: who replies to, reposts and mentions whom, and which hashtags are
used together, as dynamic GEXF (Gephi's timeline), GraphML or a plain CSV edge list.

Nodes are named as the post exports name them (``store.export``'s care functions): authors by
their store pseudonym, mentioned accounts by the keyed pseudonym of the handle, hashtags by the
tag. Each edge is one (source, target, kind) with ``weight`` interactions and the time of the
first on a day series count on (``start`` in GEXF, so Gephi's timeline shows it from then on;
none when every one is a clock error, ``store.dates``). The co-hashtag network keeps
only tag pairs used together by at least ``MIN_CELL`` distinct authors (CODEBOOK section 7).
"""

from __future__ import annotations

import os
import re
from typing import Any

from groundswell.care.suppress import MIN_CELL
from groundswell.errors import InputError
from groundswell.store.dates import dated
from groundswell.store.db import Store
from groundswell.store.export import csv_cell, open_output, output_path, register_cleaners
from groundswell.store.files import refuse_store_files

NETWORK_FORMATS = ("gexf", "graphml", "edges")
NETWORKS = ("interactions", "hashtags")
EDGE_COLUMNS = ("source", "target", "kind", "time", "weight")
_ISO = "'%Y-%m-%dT%H:%M:%SZ'"
# an edge's time: its first interaction on a day series count on (``store.dates``); a zero
# epoch (1970) or a year 9999 is a clock error that would stretch Gephi's timeline over decades
_FIRST = "min({0}) FILTER (WHERE {{dated}})"

# one row per interaction: the author of a post to the author of the post it replies to, the
# author of a repost to the author of the original, the author of a post to each account it
# mentions (as the export's mentions column writes them); an author to themself is no edge
_INTERACTIONS = f"""
    WITH events AS (
        SELECT p.platform, p.author AS source, parent.author AS target, 'reply' AS kind,
               p.created_at AS time
        FROM posts p JOIN posts parent ON parent.platform = p.platform AND parent.id = p.reply_to
        UNION ALL
        SELECT r.platform, r.author, o.author, 'repost', r.created_at
        FROM reposts r JOIN posts o ON o.platform = r.platform AND o.id = r.repost_of
        UNION ALL
        SELECT platform, author, unnest(gs_clean_mentions(platform, mentions)), 'mention',
               created_at
        FROM posts WHERE len(mentions) > 0
    )
    SELECT source, target, kind, strftime({_FIRST.format("time")}, {_ISO}) AS time,
           count(*) AS weight, any_value(platform) AS platform
    FROM events
    WHERE source IS NOT NULL AND target IS NOT NULL AND target <> '' AND source <> target
    GROUP BY source, target, kind
    ORDER BY {_FIRST.format("time")} NULLS LAST, source, target, kind
"""

# tag pairs used in the same post; a pair is kept when at least ? distinct authors used it, so
# only tags that many authors used are paired (one post of 10,000 tags made 50 M pairs: out of
# memory)
_HASHTAGS = f"""
    WITH tagged AS (
        SELECT DISTINCT platform, id, author, created_at, unnest(hashtags) AS tag
        FROM posts WHERE len(hashtags) > 1
    ),
    tags AS (
        SELECT * FROM tagged WHERE tag IN (
            SELECT tag FROM tagged GROUP BY tag
            HAVING count(DISTINCT platform || ':' || author) >= $min_authors)
    )
    SELECT a.tag AS source, b.tag AS target, 'co-hashtag' AS kind,
           strftime({_FIRST.format("a.created_at")}, {_ISO}) AS time,
           count(DISTINCT (a.platform, a.id)) AS weight,
           count(DISTINCT a.platform || ':' || a.author) AS authors
    FROM tags a JOIN tags b ON b.platform = a.platform AND b.id = a.id AND a.tag < b.tag
    GROUP BY a.tag, b.tag
    HAVING count(DISTINCT a.platform || ':' || a.author) >= $min_authors
    ORDER BY {_FIRST.format("a.created_at")} NULLS LAST, source, target
"""


def export_network(
    store: Store,
    to: str,
    out: str | os.PathLike,
    *,
    network: str = "interactions",
    min_authors: int = MIN_CELL,
) -> tuple[int, int]:
    """Write the ``network`` ("interactions" or "hashtags") to ``out`` as ``to`` ("gexf",
    "graphml" or "edges"); returns (nodes, edges) written.

    Raises InputError for an unknown format or network, a ``min_authors`` below the codebook's
    minimum, or an ``out`` that is the store, its write-ahead log or its key; StoreError naming
    ``out`` when it cannot be written (see ``export.output_path``)."""
    if to not in NETWORK_FORMATS:
        raise InputError(
            f"unknown network format {to!r}; choose one of {', '.join(NETWORK_FORMATS)}"
        )
    if network not in NETWORKS:
        raise InputError(f"unknown network {network!r}; choose one of {', '.join(NETWORKS)}")
    if min_authors < MIN_CELL:
        raise InputError(
            f"min_authors={min_authors} is below the codebook's minimum of {MIN_CELL} "
            "distinct authors (CODEBOOK section 7); raise it"
        )
    refuse_store_files(store.path, out)
    register_cleaners(store)
    con = store.con
    if network == "interactions":
        rel = con.sql(_INTERACTIONS.format(dated=dated("time")))
    else:
        query = _HASHTAGS.format(dated=dated("a.created_at"))
        rel = con.sql(query, params={"min_authors": min_authors})
    if to == "edges":
        cells = ", ".join(
            c if c == "weight" else csv_cell(c, f"{c}::VARCHAR") for c in EDGE_COLUMNS
        )
        with output_path(out) as path:
            rel.query("edges", f"SELECT {cells} FROM edges").write_csv(str(path))
        nodes, edges = rel.query(
            "edges",
            "SELECT count(DISTINCT n), count(*) // 2 FROM (SELECT unnest([source, target]) n "
            "FROM edges)",
        ).fetchall()[0]
        return nodes, edges
    graph = _graph(rel.fetchall(), [d[0] for d in rel.description], network)
    _write_graph(graph, to, out)
    return graph.number_of_nodes(), graph.number_of_edges()


def _graph(rows: list[tuple], names: list[str], network: str) -> Any:
    """A networkx graph of the edge rows: a MultiDiGraph of interactions keyed by kind, or an
    undirected Graph of tags; each node starts at its first edge."""
    import networkx as nx

    graph = nx.MultiDiGraph() if network == "interactions" else nx.Graph()
    graph.graph["network"] = network
    for n, values in enumerate(rows):
        row = dict(zip(names, values, strict=True))
        source, target = _xml_text(row["source"]), _xml_text(row["target"])
        kind, time = row["kind"], row["time"]
        attrs: dict[str, Any] = {"kind": kind, "label": kind, "weight": int(row["weight"])}
        if "authors" in row:
            attrs["authors"] = int(row["authors"])
        if time is not None:
            attrs["start"] = time
        for node in (source, target):
            if node not in graph:
                graph.add_node(node)
                if "platform" in row:
                    graph.nodes[node]["platform"] = row["platform"]
            if time is not None and "start" not in graph.nodes[node]:
                graph.nodes[node]["start"] = time  # rows come oldest first
        if graph.is_multigraph():
            graph.add_edge(source, target, key=kind, id=str(n), **attrs)
        else:
            graph.add_edge(source, target, id=str(n), **attrs)
    return graph


# characters XML 1.0 cannot hold: a tag with one (a control character from an export) made the
# GEXF and GraphML files unreadable (Gephi, networkx: "not well-formed")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_text(value: Any) -> Any:
    """A node name XML can hold: each character it cannot, as U+FFFD."""
    return _NOT_XML.sub("\ufffd", value) if isinstance(value, str) else value


def _write_graph(graph: Any, to: str, out: str | os.PathLike) -> None:
    """Write GEXF (dynamic: ISO-8601 UTC start times, ``timeformat="date"`` as networkx and
    Gephi read it) or GraphML (``start`` a plain attribute)."""
    import networkx as nx

    if to == "gexf":
        graph.graph["mode"] = "dynamic"
    with open_output(out, "wb") as fh:
        if to == "gexf":
            nx.write_gexf(graph, fh)
        else:
            nx.write_graphml(graph, fh)
