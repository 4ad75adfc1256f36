"""The classifier's commands: classify, predict, train, eval, label (registered on import by
``cli.py``; like it, they parse, call the library and print)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from groundswell.cli_args import command, db_arg, engine_args, open_store, print_json, whole


def _existing_store(args: Any) -> Any:
    """The store ``--db`` names, which must exist: a command that reads a store never makes an
    empty one (nor its key) for a mistyped path; a missing one is StoreError, exit code 3."""
    from pathlib import Path

    from groundswell.errors import StoreError

    if not Path(args.db).exists():
        raise StoreError(
            f"{args.db}: no such store; run `groundswell ingest PATH --db {args.db}` first"
        )
    return open_store(args)


def _model_args(p: argparse.ArgumentParser, default: str) -> None:
    p.add_argument(
        "--model",
        choices=["auto", "teacher", "student"],
        default=default,
        help="teacher (encoder, groundswell[teacher]), student (fast) or auto "
        "(default: %(default)s)",
    )
    p.add_argument(
        "--device",
        default="cpu",
        help="cpu (default), cuda or cuda:N (needs a CUDA build of torch)",
    )
    p.add_argument(
        "--precision",
        choices=["auto", "fp32", "fp16", "bf16"],
        default="auto",
        help="the teacher's autocast dtype (default auto: fp16 on cuda, fp32 on cpu)",
    )
    p.add_argument("--heads", help="folder with student.npz / teacher.npz from `groundswell train`")


def _classify_args(p: argparse.ArgumentParser) -> None:
    db_arg(p)
    _model_args(p, "auto")
    p.add_argument("--batch-size", type=whole(1, 100_000), default=2000)
    p.add_argument(
        "--workers",
        type=whole(1, 64),
        default=None,
        help="processes for the student (default: up to 4 cores on large stores)",
    )
    p.add_argument(
        "--distil",
        action="store_true",
        help="distil the student again from the teacher on a sample of this store (needs "
        "groundswell[teacher]; the shipped student is already distilled on real posts)",
    )
    engine_args(p)
    p.add_argument("--json", action="store_true")


@command("classify", "label every post's speech act (and testimony details), resumably")(
    _classify_args
)
def _classify(args: Any) -> int:
    from rich.progress import Progress

    from groundswell.classify import classify_store

    with _existing_store(args) as store, Progress(transient=True) as bar:
        task = bar.add_task("classifying", total=None)
        out = classify_store(
            store,
            args.model,
            args.device,
            args.batch_size,
            lambda done, total: bar.update(task, completed=done, total=total),
            heads_dir=args.heads,
            distil=args.distil,
            workers=args.workers,
            precision=args.precision,
            engine=args.engine,
            address=args.address,
        )
    if args.json:
        print_json(out)
    else:
        print(
            f"{out['model']} {out['version']}: classified {out['classified']:,} posts "
            f"({out['posts']:,} in store, {out['unsupported_language']:,} unsupported language)"
        )
        for act, n in out["acts"].items():
            print(f"  {act}: {n:,}")
        print("raw counts of top labels; `groundswell stats` shows shares corrected for errors")
        if out.get("distillation"):
            d = out["distillation"]
            print(
                f"  student vs teacher on {d.get('held_out', 0)} held-out posts: macro-F1 "
                f"{d.get('macro_f1', float('nan')):.3f}, accuracy {d.get('accuracy', 0):.3f}"
            )
    return 0


def _predict_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", nargs="?", default="-", help="JSONL or CSV with text; - for stdin")
    _model_args(p, "student")
    p.add_argument("--json", action="store_true", help="one JSON object a line (the default)")


@command("predict", "labels for texts in JSONL or CSV, one JSON line per input")(_predict_args)
def _predict(args: Any) -> int:
    from groundswell.classify.run import predict_records, read_input_records
    from groundswell.errors import InputError

    if args.file == "-":
        records = read_input_records(sys.stdin, "<stdin>")
    else:
        try:
            with open(args.file, encoding="utf-8") as fh:
                records = read_input_records(fh, args.file)
        except OSError as exc:
            raise InputError(f"{args.file}: cannot read: {exc}") from exc
    for rec in predict_records(
        records, args.model, device=args.device, heads_dir=args.heads, precision=args.precision
    ):
        print(json.dumps(rec, ensure_ascii=False, default=str))
    return 0


def _train_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data", default="data", help="folder with corpus/labels.csv, acts.csv, testimonies.csv"
    )
    p.add_argument(
        "--shared",
        help="folder holding the corpus sources (data/metoo-unlabelled.csv, data/edos/); "
        "default: $GROUNDSWELL_SHARED or ../shared beside the checkout",
    )
    p.add_argument("--labels", help="your own labelled CSV (text, act, ...) added to the data")
    p.add_argument("--out", default="models", help="folder for the heads (default: %(default)s)")
    p.add_argument("--model", choices=["teacher", "student", "all"], default="all")
    p.add_argument("--json", action="store_true")


@command("train", "make the models from the real corpus recipe (as the shipped ones)")(_train_args)
def _train(args: Any) -> int:
    from groundswell.classify import train

    kinds = ("teacher", "student") if args.model == "all" else (args.model,)
    out = train(
        args.data,
        args.out,
        kinds=kinds,
        labels_csv=args.labels,
        shared=args.shared,
        progress=None if args.json else lambda m: print(m, file=sys.stderr),
    )
    if args.json:
        print_json(out)
    else:
        for kind, info in out.items():
            acts = info.get("evaluation", {}).get("acts", {})
            print(
                f"{kind} {info['version']}: {info['n_act']} act examples, "
                f"{info['n_testimony']} testimonies -> {info['path']}; on the real test split: "
                f"macro-F1 {acts.get('macro_f1', float('nan')):.3f}, "
                f"accuracy {acts.get('accuracy', float('nan')):.3f}"
            )
    return 0


def _eval_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("labels", help="CSV with text and act columns")
    _model_args(p, "student")
    p.add_argument("--json", action="store_true")


@command("eval", "precision, recall, F1, confusion matrix and ECE on a labelled CSV")(_eval_args)
def _eval(args: Any) -> int:
    from groundswell.classify import evaluate, format_evaluation

    out = evaluate(
        args.labels, args.model, device=args.device, heads_dir=args.heads, precision=args.precision
    )
    if args.json:
        print_json(out)
    else:
        print(format_evaluation(out))
    if errors := out.get("errors"):
        from groundswell.errors import InputError

        raise InputError(
            f"{errors[0]}; {len(errors):,} rows could not be read and are left out of the "
            "metrics (fix them and run eval again)"
        )
    return 0


def _label_args(p: argparse.ArgumentParser) -> None:
    db_arg(p)
    p.add_argument("-n", type=whole(1, 10_000), default=20, help="posts to show (%(default)s)")
    p.add_argument(
        "--random",
        type=whole(1, 100_000),
        metavar="N",
        help="label N posts drawn at random (for shares with valid intervals), not the most "
        "informative ones (for training); with --answers, the answers are such a sample",
    )
    p.add_argument("--answers", help="CSV of id,act answers instead of the interactive prompt")
    p.add_argument(
        "--out",
        default="label-sample.csv",
        help="without a terminal: the CSV (or folder) to write the posts to label to, with the "
        "care of `export --to csv` and a ref column that finds each post again (%(default)s)",
    )
    p.add_argument("--data", help="folder with the labelled CSVs (default: the checkout's data/)")
    p.add_argument("--json", action="store_true")


@command("label", "label the most informative posts of your store, retrain, re-evaluate")(
    _label_args
)
def _label(args: Any) -> int:
    from groundswell.classify import format_evaluation, label_loop
    from groundswell.classify.label import shown_text
    from groundswell.schema import ACTS

    keys = {a[0] if a != "pledge" else "l": a for a in ACTS}  # t c l s b r o

    def ask(post: dict[str, Any]) -> str | None:
        text = shown_text(store, post["platform"], post["text"])
        print(f"\n{text}\n  model: {post['act']} ({post['p']:.2f})")
        answer = (
            input("  [" + " ".join(f"{k}={a}" for k, a in keys.items()) + ", enter=skip, q=quit] ")
            .strip()
            .lower()
        )
        return "quit" if answer == "q" else keys.get(answer[:1]) if answer else None

    with _existing_store(args) as store:
        if not args.answers and not sys.stdin.isatty():
            return _write_label_sample(store, args)
        out = label_loop(
            store,
            answers_path=args.answers,
            n=args.random or args.n,
            data_dir=args.data,
            ask=None if args.answers else ask,
            random=bool(args.random),
        )
    if out.get("unanswered"):
        print(
            f"note: {out['unanswered']} rows of {args.answers} have no act and were skipped",
            file=sys.stderr,
        )
    if out.get("unmatched"):
        print(
            f"note: {out['unmatched']} answers of {args.answers} found no post of this store "
            "(a ref is found only in the store that wrote it; an id must be one it holds)",
            file=sys.stderr,
        )
    if args.json:
        print_json(out)
    elif out.get("labels"):
        print(f"recorded {out['recorded']} labels ({out['labels']} in store)")
        print("before (current model on your labels):")
        print(format_evaluation(out["before"]))
        print("after (retrained, cross-validated on your labels):")
        print(format_evaluation(out["after"]))
        print(f"new student head {out['version']} {out['reason']}")
    else:
        print("no labels recorded")
    if errors := out.get("errors"):
        from groundswell.errors import InputError

        raise InputError(
            f"{errors[0]}; {len(errors):,} rows of the answers could not be read (fix them and "
            "run label again); the other answers were recorded"
        )
    return 0


def _write_label_sample(store: Any, args: Any) -> int:
    """No terminal to ask at: write the posts to label to a CSV for the user to fill, with the
    care of `groundswell export --to csv` (``label.write_sample``)."""
    from groundswell.classify.label import select_posts, select_random, write_sample
    from groundswell.store.files import output_file, refuse_store_files

    out = output_file(args.out, "label-sample.csv")
    refuse_store_files(args.db, out)
    _refuse_filled_sample(out)
    posts = select_random(store, args.random) if args.random else select_posts(store, args.n)
    n = write_sample(store, posts, out)
    again = f" --random {args.random}" if args.random else ""
    print(
        f"no terminal to ask at: wrote {n} posts to {out}; fill its act column "
        f"and run `groundswell label --answers {out}{again}`",
        file=sys.stderr,
    )
    return 0


def _refuse_filled_sample(out: Any) -> None:
    """Raise InputError when ``out`` is a label CSV already (partly) filled in: writing a new
    sample over it would lose the answers."""
    from groundswell.classify.label import read_answers
    from groundswell.errors import InputError

    if not out.is_file():
        return
    try:
        answers = read_answers(out)
    except InputError:
        return  # no CSV of answers: replaced as any --out is
    if answers or answers.errors:
        raise InputError(
            f"{out}: holds answers already; record them with `groundswell label --answers "
            f"{out}`, or choose another --out"
        )
