"""python -m gluon_tutorials reproduce: run the sections with the book's settings on the
real data and write our numbers beside the book's (Markdown and JSON) under --out."""
import argparse
import contextlib
import io
import json
import numbers
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from gluon_tutorials import cli, files, sections
from gluon_tutorials.data import DataError

# Absolute tolerance per numeric metric: 3 x the largest standard deviation over seeds
# 1-3 measured for that metric (reports/spread/report.md, this machine's CPU), rounded up
# to one significant figure; where that spread is 0, half a unit of the book's last printed
# digit (or float round-off). Never chosen from the distance to the book. Measured spreads:
# test_acc 0.0014-0.0083 (softmax, MLP, dropout, LeNet Gluon); w 0.00031, b 0.0013 and
# loss 8.6e-6 (linear regression); third-order fit w 0.070, b 0.022; Kaggle train 3.6e-5,
# test 1.1e-4; perplexity 0.054; CenteredLayer net mean 7.1e-10; exp and centered 0.
# A (section, metric) key overrides the metric's when a section's metric differs in kind.
# Metrics that are not numbers (names, shapes, flags) must come out equal.
TOLERANCE = {
    "test_acc": 0.03,
    "w": 0.001,
    "b": 0.004,
    "loss": 3e-5,
    ("underfit_overfit", "w"): 0.3,
    ("underfit_overfit", "b"): 0.07,
    "avg_train_loss": 2e-4,
    "avg_test_loss": 4e-4,
    "perplexity": 0.2,
    "centered": 1e-6,
    "centered_net_mean": 3e-9,
    "exp": 5e-5,
}


def _argv(section, seed, ctx, subset, out):
    argv = ["--seed", str(seed), "--out", str(out / section.slug), "--ctx", ctx]
    if subset and section.dataset == "fashion-mnist":
        argv += ["--subset", str(subset)]
    return argv


def run_once(section, seed, ctx, subset, out, echo=True):
    """Run one section once; returns {'status': ok|skipped|failed, ...}."""
    start = time.time()
    stdout = sys.stdout if echo else io.StringIO()
    try:
        with contextlib.redirect_stdout(stdout):
            result = section.load().main(_argv(section, seed, ctx, subset, out))
    except DataError as e:
        return {"status": "skipped", "reason": str(e).splitlines()[0]}
    except Exception as e:  # one broken section must not cost the whole report
        return {"status": "failed", "reason": f"{type(e).__name__}: {e}"}
    except SystemExit as e:  # argparse refused the arguments
        return {"status": "failed", "reason": f"bad arguments (exit {e.code})"}
    return {"status": "ok", "result": result, "seconds": time.time() - start}


def _number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _numeric(value):
    """A number or a flat vector of numbers: a measurement with a spread. Anything else
    (names, flags, lists of shapes) is a fact that must come out equal."""
    if isinstance(value, (list, tuple)):
        return bool(value) and all(_number(v) for v in value)
    return _number(value)


def _plain(value):
    """Tuples and lists alike, so that (4, 5) from the registry equals [4, 5] from JSON."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _mean_spread(values):
    """Mean and sample standard deviation; element-wise for vectors (spread: the largest)."""
    if isinstance(values[0], (list, tuple)):
        columns = list(zip(*values))
        means = [statistics.fmean(c) for c in columns]
        spread = max(statistics.stdev(c) for c in columns) if len(values) > 1 else None
        return means, spread
    return statistics.fmean(values), (statistics.stdev(values) if len(values) > 1 else None)


def _difference(ours, book):
    if isinstance(book, (list, tuple)):
        return max((o - b for o, b in zip(ours, book)), key=abs)
    return ours - book


def tolerance(slug, metric):
    """A section's own tolerance for a metric where it has one, else the metric's."""
    return TOLERANCE.get((slug, metric), TOLERANCE.get(metric))


def _within(slug, metric, difference):
    limit = tolerance(slug, metric)
    return limit is not None and abs(difference) <= limit


def judge(report):
    """Set each numeric row's tolerance and verdict from TOLERANCE, and the summary line;
    also used to re-judge a saved report after the tolerances changed (--rescore)."""
    for entry in report["sections"]:
        for row in entry.get("rows", []):
            if row["difference"] is not None:
                row["tolerance"] = tolerance(entry["slug"], row["metric"])
                row["within"] = _within(entry["slug"], row["metric"], row["difference"])
    compared = [e for e in report["sections"] if e["status"] == "ok" and e["rows"]]
    within = [e for e in compared if all(r["within"] for r in e["rows"])]
    report["summary"] = f"{len(within)} of {len(compared)} sections within tolerance"
    skipped = len(report["sections"]) - len([e for e in report["sections"] if e["status"] == "ok"])
    if skipped:
        report["summary"] += f" ({skipped} skipped or failed)"
    return report


def write(report, out):
    files.write_text(out / "report.json", json.dumps(report, indent=2, default=float) + "\n")
    files.write_text(out / "report.md", markdown(report))
    print(report["summary"])
    print(f"report: {out / 'report.md'}, {out / 'report.json'}")


def compare(section, runs):
    """One row per book metric: book, ours (mean over seeds), spread, difference, within."""
    rows = []
    for metric, book in section.book.items():
        values = [r["result"][metric] for r in runs if metric in r["result"]]
        row = {"metric": metric, "book": book, "ours": None, "spread": None, "difference": None,
               "tolerance": tolerance(section.slug, metric), "within": False}
        if values and _numeric(book) and all(_numeric(v) for v in values):
            ours, spread = _mean_spread(values)
            difference = _difference(ours, book)
            row.update(ours=ours, spread=spread, difference=difference,
                       within=_within(section.slug, metric, difference))
        elif values:
            distinct = {repr(_plain(v)) for v in values}
            row.update(ours=_plain(values[0]) if len(distinct) == 1 else sorted(distinct),
                       within=distinct == {repr(_plain(book))})
        rows.append(row)
    return rows


def _versions():
    import mxnet
    import numpy

    return {"python": platform.python_version(), "mxnet": mxnet.__version__, "numpy": numpy.__version__}


def _device(ctx):
    if ctx.startswith("gpu"):
        return ctx
    return f"cpu ({platform.processor() or platform.machine()}, {len(__import__('os').sched_getaffinity(0))} cores)"


def _fmt(value):
    if value is None:
        return "–"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e-3 and value else f"{value:.4f}"
    return str(value)


def markdown(report):
    lines = [
        "# Reproduce report: our numbers beside the book's",
        "",
        f"{report['summary']}.",
        "",
        f"Device: {report['device']}. Seeds: {', '.join(map(str, report['seeds']))}. "
        + ", ".join(f"{k} {v}" for k, v in report["versions"].items())
        + f". Total time {report['seconds'] / 60:.1f} min.",
        "",
        "Ours is the mean over the seeds, spread their standard deviation; a metric is within "
        "tolerance when |ours - book| is at most the tolerance chosen from the spread over seeds "
        "(see `TOLERANCE` in gluon_tutorials/reproduce.py).",
        "",
        "| chapter | section | metric | book | ours | spread | difference | tolerance | within | s/epoch | notes |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for entry in report["sections"]:
        notes = entry.get("notes", "")
        if entry["status"] != "ok":
            lines.append(f"| {entry['chapter']} | {entry['slug']} | | | | | | | {entry['status']} | | "
                         f"{entry['reason'].replace('|', '/')} |")
            continue
        for row in entry["rows"]:
            within = "yes" if row["within"] else "**no**"
            lines.append(
                f"| {entry['chapter']} | {entry['slug']} | {row['metric']} | {_fmt(row['book'])} | "
                f"{_fmt(row['ours'])} | {_fmt(row['spread'])} | {_fmt(row['difference'])} | "
                f"{_fmt(row['tolerance'])} | {within} | {_fmt(entry['seconds_per_epoch'])} | {notes} |")
    return "\n".join(lines) + "\n"


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m gluon_tutorials reproduce",
        description="Run sections with the book's hyperparameters on the real data and write "
                    "a report of our numbers beside the book's.")
    parser.add_argument("--sections", nargs="+", metavar="SLUG",
                        help="sections to run (default: every section the book printed numbers for)")
    parser.add_argument("--ctx", default="auto", help="auto, cpu, gpu or gpu:N")
    parser.add_argument("--subset", type=cli.positive_int, default=None,
                        help="first N train and test examples for every Fashion-MNIST section "
                             "(a quick CPU pass); without it only GPU-sized sections run on a "
                             "subset, and only on a CPU")
    parser.add_argument("--seeds", type=cli.positive_int, default=1,
                        help="run each section with this many seeds (mean and spread)")
    parser.add_argument("--seed", type=int, default=cli.DEFAULT_SEED, help="the first seed")
    parser.add_argument("--out", type=Path, default=Path("reports"), help="folder for the report")
    parser.add_argument("--quiet", action="store_true", help="hide the sections' own output")
    parser.add_argument("--rescore", type=Path, metavar="REPORT_JSON",
                        help="run nothing: re-judge a saved report.json against the current "
                             "tolerances and rewrite it and its report.md")
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.rescore:
        try:
            report = json.loads(args.rescore.read_text())
        except (OSError, ValueError) as e:
            parser.error(f"--rescore: cannot read {args.rescore}: {e}")
        write(judge(report), args.rescore.parent)
        return report
    try:
        ctx = cli.parse_ctx(args.ctx)
    except argparse.ArgumentTypeError as e:
        parser.error(f"argument --ctx: {e}")
    ctx_text = f"{ctx.device_type}:{ctx.device_id}"
    if args.sections:
        unknown = [s for s in args.sections if s not in sections.BY_SLUG]
        if unknown:
            parser.error(f"unknown section(s) {', '.join(unknown)}; see `python -m gluon_tutorials list`")
        chosen = [sections.get(s) for s in args.sections]
    else:
        chosen = [s for s in sections.SECTIONS if s.book]
    seeds = [args.seed + i for i in range(args.seeds)]

    from gluon_tutorials import progress

    start = time.time()
    entries = []
    bar = progress.bar([(s, seed) for s in chosen for seed in seeds], "reproduce")
    runs_by_slug = {}
    for section, seed in bar:
        if hasattr(bar, "set_description"):
            bar.set_description(f"{section.slug} (seed {seed})")
        print(f"== {section.slug}, seed {seed}", file=sys.stderr)
        subset = args.subset
        if subset is None and ctx.device_type == "cpu" and section.cpu_subset:
            subset = section.cpu_subset
        run = run_once(section, seed, ctx_text, subset, args.out, echo=not args.quiet)
        run["subset"] = subset if section.dataset == "fashion-mnist" else None
        runs_by_slug.setdefault(section.slug, []).append(run)
    for section in chosen:
        runs = runs_by_slug[section.slug]
        entry = {"chapter": section.chapter, "slug": section.slug, "seeds": seeds}
        ok = [r for r in runs if r["status"] == "ok"]
        if not ok:
            entry.update(status=runs[0]["status"], reason=runs[0]["reason"])
            entries.append(entry)
            continue
        epoch_seconds = [t for r in ok for t in r["result"].get("epoch_seconds", [])]
        entry.update(status="ok", rows=compare(section, ok),
                     seconds_per_epoch=statistics.fmean(epoch_seconds) if epoch_seconds else None,
                     seconds=statistics.fmean(r["seconds"] for r in ok))
        notes = []
        if ok[0]["subset"]:
            notes.append(f"subset of {ok[0]['subset']} train/test examples (GPU-sized section on a CPU)"
                         if args.subset is None else f"subset of {ok[0]['subset']} examples")
        failed = [r for r in runs if r["status"] != "ok"]
        if failed:
            notes.append(f"{len(failed)} seed(s) failed: {failed[0]['reason']}")
        entry["notes"] = "; ".join(notes)
        entries.append(entry)

    report = {
        "device": _device(ctx_text), "ctx": ctx_text, "seeds": seeds, "versions": _versions(),
        "subset": args.subset, "seconds": time.time() - start, "sections": entries,
    }
    write(judge(report), args.out)
    return report


if __name__ == "__main__":
    main()
