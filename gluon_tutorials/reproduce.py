"""python -m gluon_tutorials reproduce: run the sections with the book's settings on the real
data, over several seeds, and write our numbers beside the book's (Markdown, JSON and a PNG).

Each figure is judged by its distance from the book in units of our own seed noise:
z = (book - mean) / sigma, with the mean and sample standard deviation over seeds. |z| <= 3
is "within seed noise"; beyond that the difference is systematic, and the report says why
where the cause is known. A figure that comes out the same for every seed (sigma = 0) must
equal the book's to the digits the book printed; a figure from one seed has no sigma and
is reported as such. Non-numeric figures (names, flags, shapes) must be equal. Where the
book printed no number (the registry's `ours`), a row keeps our mean and sigma, has no book
value (null) and no z, and its verdict is "no book figure".
"""
import contextlib
import copy
import json
import math
import numbers
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from gluon_tutorials import cli, data, files, notebook, sections, signals

Z_LIMIT = 3.0
NO_BOOK = "no book figure"
DEFAULT_OUT = Path("out") / "reproduce"
# Each finished run is kept here, one JSON file each, until a report holding it is written.
RUNS = "runs"

# Known causes of a systematic difference, by (slug, metric), or by the Fashion-MNIST copy.
EXPLANATIONS = {
    ("linear_regression_gluon", "w"):
        "ours is closer to the true w [2, -3.4] than the book's: the book's run ended further "
        "from the truth, not ours",
    "zalando":
        "measured on Zalando's Fashion-MNIST; the book read MXNet's hosted copy "
        "(see the note on the data below)",
}

# Known causes of seeds that fail, by slug.
FAILURE_CAUSES = {
    "softmax_regression_scratch":
        "the book's own softmax takes exp of the raw scores, which overflows to inf for some "
        "seeds; the exercise at the end of the book's section 3.3 is about exactly this",
}

DATA_NOTE = """\
## Which Fashion-MNIST the book read

Known:
- The book read MXNet's hosted copy, not Zalando's files in Zalando's order: the first nine
  training labels it printed (section 3.3) are [2, 9, 6, 0, 3, 4, 4, 5, 4] and the first nine
  test labels [0, 1, 2, 2, 3, 2, 8, 6, 5]; Zalando's files start [9, 0, 0, 3, 0, 2, 7, 2, 5]
  and [9, 2, 1, 1, 6, 1, 4, 6, 5], and neither of the book's sequences (nor any 6 of its
  first labels) occurs anywhere in Zalando's train or test labels. MXNet's loader checked
  the .gz SHA-1s that MXNet 1.9.1 still lists, which Zalando's files do not match.
- Zalando's copy has 6000 examples of each class in train and 1000 in test. Every test
  accuracy the book printed is a multiple of 1/10240, which fits a test set of 10000.
- In all 52 epoch lines of the book's 12 classification sections, test accuracy is above
  training accuracy (at epoch 4 by 0.00002 to 0.02). On Zalando's copy ours is at or below
  it; softmax regression's training accuracy matches the book's (ours 0.835-0.838, book
  0.834) while its test accuracy is about 0.01 lower, some 7 sigma of seed noise.

Inferred, not proven: MXNet's copy holds a different ordering and, very likely, a different
or easier test split; that would explain test accuracies a point above ours with training
figures that match. It cannot be settled here: MXNet's files cannot be downloaded from this
machine. With them in ~/.mxnet/datasets/fashion-mnist, the data layer uses them by default
and `reproduce` names the copy in every row.
"""


def _plain(value):
    """Namespace values as JSON-able figures: NDArrays and numpy arrays -> numbers or flat lists,
    tuples -> lists (so (4, 5) from the registry equals [4, 5] from JSON)."""
    from mxnet import nd

    if isinstance(value, nd.NDArray):
        value = value.asnumpy()
    if isinstance(value, np.ndarray):
        value = value.ravel().tolist()
        return value[0] if len(value) == 1 else value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _numeric(value):
    if isinstance(value, (list, tuple)):
        return bool(value) and all(_number(v) for v in value)
    return _number(value)


def run_once(section, seed, ctx, subset, out, echo=True):
    """Run one section once in this process; {'status': ok|skipped|failed, ...}.

    KeyboardInterrupt is not caught here: `main` turns it into a partial report.
    """
    import contextlib
    import io

    from gluon_tutorials import data, notebook, runtime
    from gluon_tutorials.data import DataError

    names = {p.name for p in notebook.parameters(section.path)}
    overrides = {"seed": seed, "out": str(out / section.slug)}
    if "ctx" in names:
        overrides["ctx"] = ctx
    if subset and "subset" in names:
        overrides["subset"] = subset
    start = time.time()
    runtime.epoch_seconds.clear()
    data.COPIES_USED.pop(section.dataset, None)
    stdout = sys.stdout if echo else io.StringIO()
    try:
        with contextlib.redirect_stdout(stdout):
            namespace = notebook.execute(section.path, overrides)
    except DataError as e:
        return {"status": "skipped", "reason": str(e).splitlines()[0]}
    except runtime.Diverged as e:
        return {"status": "failed", "reason": str(e)}
    except Exception as e:  # one broken section must not cost the whole report
        return {"status": "failed", "reason": f"{type(e).__name__}: {e}"}
    figures = {m: _plain(namespace[section.variable(m)]) for m in section.metrics
               if section.variable(m) in namespace}
    return {"status": "ok", "figures": figures, "seconds": time.time() - start,
            "epoch_seconds": list(runtime.epoch_seconds),
            "copy": data.COPIES_USED.get(section.dataset)}


def _printed_digits(book):
    """Decimal places the book printed for a number (1.03e-4 -> 6)."""
    text = repr(float(book))
    if "e" in text:
        mantissa, exponent = text.split("e")
        decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
        return max(0, decimals - int(exponent))
    return len(text.split(".")[1]) if "." in text else 0


def score(row):
    """Set z and the verdict of a row from its book value, mean, sigma and seed count."""
    book, mean, sigma, n = row["book"], row["mean"], row["sigma"], row["seeds"]
    row["z"] = None
    if mean is None:
        row["verdict"] = "missing"
    elif book is None:  # nothing to judge against: our figure is the record
        row["verdict"] = NO_BOOK
    elif not (_numeric(book) and _numeric(mean)):
        row["verdict"] = "equal" if _plain(book) == _plain(mean) else "differs"
    elif n < 2 or sigma is None:
        row["verdict"] = "one seed (no sigma)"
    else:
        books = book if isinstance(book, list) else [book]
        means = mean if isinstance(mean, list) else [mean]
        sigmas = sigma if isinstance(sigma, list) else [sigma] * len(books)
        zs = []
        for b, m, s in zip(books, means, sigmas):
            if s > 0:
                zs.append((b - m) / s)
            else:  # the same for every seed: must match what the book printed
                zs.append(0.0 if abs(b - m) <= 0.5 * 10 ** -_printed_digits(b) + 1e-12
                          else math.copysign(math.inf, b - m))
        z = max(zs, key=abs)
        row["z"] = z
        if all(s == 0 for s in sigmas):
            row["verdict"] = "equal" if z == 0 else "systematic"
        else:
            row["verdict"] = "within seed noise" if abs(z) <= Z_LIMIT else "systematic"
    return row


def compare(section, runs, copy):
    """One row per figure: mean and sigma over the seeds that ran, z and a verdict (book
    None for a figure the book did not print)."""
    rows = []
    for metric in section.metrics:
        book = _plain(section.book[metric]) if metric in section.book else None
        values = [r["figures"][metric] for r in runs if metric in r["figures"]]
        row = {"metric": metric, "book": book, "values": values, "seeds": len(values),
               "mean": None, "sigma": None, "copy": copy}
        if values and all(_numeric(v) for v in values) and (book is None or _numeric(book)):
            columns = list(zip(*values)) if isinstance(values[0], list) else [values]
            means = [statistics.fmean(c) for c in columns]
            sigmas = [statistics.stdev(c) for c in columns] if len(values) > 1 else None
            vector = isinstance(values[0], list)
            row["mean"] = means if vector else means[0]
            row["sigma"] = (sigmas if vector else sigmas[0]) if sigmas else None
        elif values:
            distinct = {json.dumps(v) for v in values}
            row["mean"] = values[0] if len(distinct) == 1 else sorted(distinct)
        rows.append(score(row))
    return rows


def explain(report):
    """Attach the known cause to each systematic difference."""
    for entry in report["sections"]:
        for row in entry.get("rows", []):
            row["explanation"] = ""
            if row["verdict"] in ("systematic", "differs"):
                row["explanation"] = EXPLANATIONS.get(
                    (entry["slug"], row["metric"]), EXPLANATIONS.get(row.get("copy"), ""))
    return report


def judge(report):
    """Score every row again against the registry's book values, explain, and set the
    summary line (also for --rescore)."""
    for entry in report.get("sections", []):
        section = sections.BY_SLUG.get(entry["slug"])
        for row in entry.get("rows", []):
            if section is not None and row["metric"] in section.book:
                row["book"] = _plain(section.book[row["metric"]])
            elif section is not None and row["metric"] in section.ours:
                row["book"] = None
            score(row)
    explain(report)
    rows = [r for e in report["sections"] if e["status"] == "ok" for r in e["rows"]]
    count = {v: sum(r["verdict"] == v for r in rows) for v in
             ("within seed noise", "equal", "systematic", "differs", "one seed (no sigma)",
              "missing", NO_BOOK)}
    parts = [f"{count['within seed noise']} figures within seed noise",
             f"{count['systematic'] + count['differs']} systematic differences",
             f"{count['equal']} equal (no seed noise)"]
    if count["one seed (no sigma)"]:
        parts.append(f"{count['one seed (no sigma)']} from one seed (no sigma)")
    if count["missing"]:
        parts.append(f"{count['missing']} missing")
    if count[NO_BOOK]:
        parts.append(f"{count[NO_BOOK]} of our own ({NO_BOOK})")
    not_ok = [e for e in report["sections"] if e["status"] != "ok"]
    if not_ok:
        parts.append(f"{len(not_ok)} section(s) skipped or failed")
    report["summary"] = ", ".join(parts)
    if report.get("interrupted"):
        report["summary"] = "INTERRUPTED, partial report: " + report["summary"]
    return report


def _fmt(value, digits=4):
    if value is None:
        return "–"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_fmt(v, digits) for v in value) + "]"
    if isinstance(value, float):
        if math.isinf(value):
            return "∞" if value > 0 else "-∞"
        return f"{value:.3g}" if abs(value) < 1e-3 and value else f"{value:.{digits}f}"
    return str(value)


def markdown(report):
    chapters = sections.CHAPTER_NAMES
    lines = [
        "# Reproduce report: our numbers beside the book's",
        "",
        f"{report['summary']}.",
        "",
        f"Device: {report['device']}. Seeds from {report['seeds'][0]}, up to "
        f"{len(report['seeds'])} per section. "
        + ", ".join(f"{k} {v}" for k, v in report["versions"].items())
        + f". Total time {report['seconds'] / 60:.1f} min.",
        "",
    ]
    if report.get("conditions"):  # how the runs were made, when not all in one sitting
        lines += [report["conditions"], ""]
    if any(r["verdict"] == NO_BOOK for e in report["sections"] for r in e.get("rows", [])):
        lines += [f"Where the book printed no number (its release 0.6 sections), a row gives "
                  f"our mean and sigma over the seeds as the record, says \"{NO_BOOK}\" and has "
                  f"no z; z.png leaves it out.", ""]
    lines += [
        "Mean and sigma are over the seeds that ran (sample standard deviation); "
        "z = (book − mean) / sigma. |z| ≤ 3 is within seed noise; beyond, the difference is "
        "systematic. A figure that is the same for every seed must equal the book's to the "
        "digits it printed. Copy: the Fashion-MNIST files used (mxnet: the copy the book "
        "read; zalando: the canonical one)." + (" ![z per figure](z.png)"
                                                  if _z_points(report) else ""),
        "",
        "| ch. | section | figure | book | mean | σ | z | seeds | copy | s/epoch | verdict |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    notes = []
    for entry in report["sections"]:
        chapter = chapters.get(entry["chapter"], entry["chapter"])
        if entry["status"] != "ok":
            lines.append(f"| {chapter} | {entry['slug']} | | | | | | | | | {entry['status']} |")
            notes.append(f"- {entry['slug']}: {entry['reason']}")
            continue
        for row in entry["rows"]:
            verdict = row["verdict"] if row["verdict"] in ("within seed noise", "equal", NO_BOOK) \
                else f"**{row['verdict']}**"
            book = NO_BOOK if row["book"] is None else _fmt(row["book"])
            lines.append(
                f"| {chapter} | {entry['slug']} | {row['metric']} | {book} | "
                f"{_fmt(row['mean'])} | {_fmt(row['sigma'])} | {_fmt(row['z'], 1)} | "
                f"{row['seeds']} | {row.get('copy') or '–'} | "
                f"{_fmt(entry.get('seconds_per_epoch'), 1)} | {verdict} |")
            if row.get("explanation"):
                notes.append(f"- {entry['slug']} {row['metric']}: {row['explanation']}")
        if entry.get("notes"):
            notes.append(f"- {entry['slug']}: {entry['notes']}")
    if notes:
        lines += ["", "Notes:", ""] + notes
    if any(r.get("copy") for e in report["sections"] for r in e.get("rows", [])):
        lines += ["", DATA_NOTE.rstrip()]
    if report.get("interrupted"):
        finished = ", ".join(report.get("finished", [])) or "none"
        lines += ["", f"Interrupted ({report.get('interrupted_by', 'Ctrl-C')}) before the run "
                      f"ended; finished runs: {finished}."]
    return "\n".join(lines) + "\n"


def _z_points(report):
    return [(f"{e['slug']} {r['metric']}", r["z"]) for e in report["sections"]
            if e["status"] == "ok" for r in e["rows"] if r.get("z") is not None]


def z_figure(report, path):
    """Each figure's z as a dot, the |z| <= 3 band shaded: what reproduces, at a glance."""
    from gluon_tutorials import plotting

    points = _z_points(report)
    if not points:
        return None
    fig, axes = plotting.subplots(1, 1, figsize=(6, 0.3 * len(points) + 1))
    ax = axes[0, 0]
    limit = max([Z_LIMIT + 1] + [min(abs(z), 50) + 1 for _, z in points])
    ax.axvspan(-Z_LIMIT, Z_LIMIT, color="tab:green", alpha=0.15, label="|z| ≤ 3: seed noise")
    for i, (_, z) in enumerate(points):
        shown = max(-limit + 0.5, min(limit - 0.5, z))
        ax.plot(shown, i, "o", color="tab:green" if abs(z) <= Z_LIMIT else "tab:red")
    ax.set_yticks(range(len(points)), [name for name, _ in points], fontsize=7)
    ax.set_xlim(-limit, limit)
    ax.invert_yaxis()
    ax.set_xlabel("z = (book − our mean) / our sigma over seeds")
    ax.legend(fontsize=7, loc="lower right")
    return plotting.save(fig, path)


def render(report):
    """Judge the report and return its report.json and report.md texts: all that can fail on
    a report's contents, before a byte of it is written."""
    judge(report)
    return json.dumps(report, indent=2, default=float) + "\n", markdown(report)


def write(report, out):
    report_json, report_md = render(report)
    # z.png first: a report.md never links a figure of another run. Without a z (one seed)
    # the old figure goes, rather than stand beside the new report.
    with _naming(out / "z.png"):
        if z_figure(report, out / "z.png") is None:
            (out / "z.png").unlink(missing_ok=True)
    with _naming(out / "report.json"):
        files.write_text(out / "report.json", report_json)
    with _naming(out / "report.md"):
        files.write_text(out / "report.md", report_md)
    print(report["summary"])
    print(f"report: {out / 'report.md'}, {out / 'report.json'}")


@contextlib.contextmanager
def _naming(path):
    """An OSError names `path`, not the temporary file it was being written through."""
    try:
        yield
    except OSError as e:
        raise OSError(e.errno, e.strerror, str(path)) from e


def build_parser():
    parser = cli.OneLineParser(
        prog="python -m gluon_tutorials reproduce",
        description="Run sections with the book's hyperparameters on the real data and write "
                    "a report of our numbers beside the book's. By default the report goes to "
                    "out/reproduce, so a quick or partial run never replaces the committed one; "
                    "`--out reports` refreshes the committed report.")
    parser.add_argument("--sections", nargs="+", metavar="SLUG",
                        help="sections to run (default: every section with a figure, the "
                             "book's or our own)")
    parser.add_argument("--ctx", default="auto",
                        help="auto, cpu, gpu or gpu:N; or a device list (cpu:0,cpu:1) for the "
                             "sections that compute on several (without --ctx they use their own)")
    parser.add_argument("--subset", type=cli.positive_int, default=None,
                        help="first N train and test examples for every Fashion-MNIST section "
                             "(a quick CPU pass); without it only GPU-sized sections run on a "
                             "subset, and only on a CPU")
    parser.add_argument("--seeds", type=cli.positive_int, default=1,
                        help="run each section with this many seeds (mean and sigma)")
    parser.add_argument("--seed", type=cli.seed_type, default=cli.DEFAULT_SEED,
                        help="the first seed")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"folder for the report (default: {DEFAULT_OUT}; the committed "
                             f"report is in `reports`)")
    parser.add_argument("--update", action="store_true",
                        help="merge the sections run now into the report already in --out "
                             "instead of replacing it (for recording a long run on its own)")
    parser.add_argument("--quiet", action="store_true", help="hide the sections' own output")
    parser.add_argument("--from-runs", type=Path, metavar="DIR",
                        help="run nothing: make the report (in --out; with --update, merged "
                             "into it) of the runs kept in DIR when a report could not be "
                             "written, e.g. out/reproduce/runs")
    parser.add_argument("--rescore", type=Path, metavar="REPORT_JSON",
                        help="run nothing: judge a saved report.json again and rewrite it, its "
                             "report.md and z.png")
    return parser


class ReportError(ValueError):
    """A saved report.json that cannot be read, or not merged into, judged and written."""


# Top-level fields a report needs, with the type the merge and the Markdown expect.
_FIELDS = {"seconds": (numbers.Real, "a number of seconds"), "seeds": (list, "a list of seeds"),
           "versions": (dict, "a mapping of versions"), "device": (str, "text")}


def _cause(error):
    if isinstance(error, OSError) and error.strerror:  # ENOSPC, a read-only folder ...
        return f"{error.filename}: {error.strerror}" if error.filename else error.strerror
    if isinstance(error, KeyError):
        return f"it has no {error.args[0]!r}"
    return f"{type(error).__name__}: {error}"


def load_report(path, new=None):
    """The report saved at `path`, checked by merging `new` (the skeleton of this run's report)
    into it and rendering the result, without writing anything; ReportError says what is
    wrong (for a hand-edited file: which section, which field)."""
    try:
        report = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ReportError(f"cannot read {path}: {e}") from None
    if not (isinstance(report, dict) and isinstance(report.get("sections"), list)
            and all(isinstance(e, dict) and "slug" in e and "status" in e
                    for e in report["sections"])):
        raise ReportError(f"{path} is not a report written by `reproduce` "
                          f"(it has no list of sections)")
    for key, (kind, what) in _FIELDS.items():
        if key in report and (not isinstance(report[key], kind) or isinstance(report[key], bool)):
            raise ReportError(f"{path}: its {key!r} is {report[key]!r}, not {what}")
    new = new or {"seeds": report.get("seeds") or [cli.DEFAULT_SEED], "seconds": 0.0,
                  "sections": []}
    for entry in report["sections"] + [None]:  # each section alone, then the whole report
        trial = copy.deepcopy(report if entry is None else dict(report, sections=[entry]))
        try:
            render(_merge(trial, copy.deepcopy(new)))
        except Exception as e:  # whatever a hand edit breaks, named before any run
            where = "" if entry is None else f" in section {entry['slug']!r}"
            raise ReportError(f"{path}: cannot be judged{where}: {_cause(e)}") from None
    return report


def _read_report(path, parser, what, new=None):
    try:
        return load_report(path, new)
    except ReportError as e:
        parser.error(f"{what}: {e}")


@contextlib.contextmanager
def locked(folder):
    """Hold an exclusive lock on `folder` (flock on the folder itself: no file is left behind),
    so that two reproduce runs never interleave their read-merge-write of one report."""
    import fcntl

    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"waiting for another reproduce to finish writing to {folder} ...",
                  file=sys.stderr)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _record(out, section, seed, subset, default_subset, ctx, run):
    """Keep one finished run on disk now (atomically), so that nothing it measured depends on
    the report being written later; returns the file, or None if it could not be written."""
    path = out / RUNS / f"{section.slug}-seed{seed}-{os.getpid()}.json"
    record = {"slug": section.slug, "seed": seed, "subset": subset,
              "default_subset": bool(default_subset), "ctx": ctx, "device": _device(ctx),
              "versions": _versions(), "run": run}
    try:
        return files.write_text(path, json.dumps(record, indent=2, default=float) + "\n")
    except (OSError, TypeError, ValueError) as e:
        print(f"warning: could not keep {section.slug} (seed {seed}) in {path}: "
              f"{getattr(e, 'strerror', None) or e}", file=sys.stderr)
        return None


def _entry(section, runs, seeds, subset, default_subset):
    entry = {"chapter": section.chapter, "slug": section.slug, "seeds": seeds}
    ok = [r for r in runs if r["status"] == "ok"]
    if not ok:
        entry.update(status=runs[0]["status"], reason=runs[0]["reason"])
        return entry
    copies = {r["copy"] for r in ok}
    epoch_seconds = [t for r in ok for t in r["epoch_seconds"]]
    entry.update(status="ok", rows=compare(section, ok, ok[0]["copy"] if len(copies) == 1
                                           else "/".join(sorted(map(str, copies)))),
                 seconds_per_epoch=statistics.fmean(epoch_seconds) if epoch_seconds else None,
                 seconds=statistics.fmean(r["seconds"] for r in ok))
    notes = []
    if subset and section.dataset == "fashion-mnist" and subset >= data.FASHION_MNIST_SIZES[0]:
        notes.append("all {} train and {} test examples: the book's size".format(
            *data.FASHION_MNIST_SIZES))
    elif subset:
        notes.append(f"subset of {subset} train/test examples"
                     + (" (GPU-sized section on a CPU)" if default_subset else ""))
    failed = [r for r in runs if r["status"] != "ok"]
    if failed:
        notes.append(f"{len(failed)} seed(s) failed: {failed[0]['reason']}")
        if section.slug in FAILURE_CAUSES:
            notes.append(f"cause: {FAILURE_CAUSES[section.slug]}")
    entry["notes"] = "; ".join(notes)
    return entry


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.rescore:
        report = _read_report(args.rescore, parser, "--rescore")
        write(report, args.rescore.parent)
        return 0
    # Everything that can be checked is checked before the first section runs.
    problem = cli.writable_folder_problem(args.out)
    if problem:
        parser.error(f"argument --out: {problem}")
    if args.update and not (args.out / "report.json").is_file():
        parser.error(f"--update: there is no report.json in {args.out} to merge into")
    if args.from_runs:
        return _from_runs(args, parser)
    from gluon_tutorials import runtime

    # Before MXNet starts: several CPU contexts need one BLAS thread (runtime.check_cpu_list);
    # the other sections of the same run then compute on one thread too.
    for slug in args.sections or []:
        if slug in sections.BY_SLUG and args.ctx == "auto":
            defaults = {p.name: p.default for p in notebook.parameters(sections.get(slug).path)}
            runtime.blas_threads_for(defaults.get("ctx", "auto"))
    runtime.blas_threads_for(args.ctx)
    try:
        ctx = cli.ctx_type(args.ctx, many=True)
    except Exception as e:  # argparse.ArgumentTypeError
        parser.error(f"argument --ctx: {e}")
    found = runtime.device(ctx)
    device = found[0] if isinstance(found, list) else found
    ctx_text = ",".join(f"{d.device_type}:{d.device_id}"
                        for d in (found if isinstance(found, list) else [found]))
    if args.sections:
        unknown = [s for s in args.sections if s not in sections.BY_SLUG]
        if unknown:
            parser.error(f"unknown section(s) {', '.join(unknown)}; "
                         f"see `python -m gluon_tutorials list`")
        chosen = [sections.get(s) for s in args.sections]
    else:
        chosen = [s for s in sections.SECTIONS if s.metrics]
    seeds = [args.seed + i for i in range(args.seeds)]
    report = {"device": _device(ctx_text), "ctx": ctx_text, "seeds": seeds,
              "versions": _versions(), "subset": args.subset, "seconds": 0.0, "sections": []}
    if args.update:  # the merge at the end must not fail on what is already there
        _read_report(args.out / "report.json", parser, "--update", new=report)

    from gluon_tutorials import progress

    start = time.time()
    runs_by_slug, subsets, finished, kept, stopped = {}, {}, [], [], None
    bar = progress.bar([(s, seed) for s in chosen for seed in seeds], "reproduce")
    try:
        for section, seed in bar:
            print(f"== {section.slug}, seed {seed}", file=sys.stderr)
            subset = args.subset
            if subset is None and device.device_type == "cpu" and section.cpu_subset:
                subset = section.cpu_subset
            # run_once passes the subset to a section that has the parameter: say so for all
            # of them (PTB's rnn_gluon too), not only for Fashion-MNIST's
            has_subset = any(p.name == "subset" for p in notebook.parameters(section.path))
            subsets[section.slug] = subset if has_subset else None
            run = run_once(section, seed, _ctx_for(section, args.ctx, ctx_text), subset,
                           args.out, echo=not args.quiet)
            signals.check()  # a signal the run swallowed ends the loop as Ctrl-C would
            # A signal between writing the run's file and listing it would leave the file
            # behind once the report holds the run: the run is counted and kept as one step.
            with signals.deferred():
                runs_by_slug.setdefault(section.slug, []).append(run)
                finished.append(f"{section.slug} (seed {seed})")
                kept.append(_record(args.out, section, seed, subsets[section.slug],
                                    args.subset is None and section.cpu_subset, ctx_text, run))
    except KeyboardInterrupt as e:  # Ctrl-C or SIGTERM
        stopped = e
        print(f"{signals.message(e)}: writing a partial report of the runs that finished",
              file=sys.stderr)
    report["sections"] = [_entry(s, runs_by_slug[s.slug], seeds, subsets[s.slug],
                                 args.subset is None and s.cpu_subset)
                          for s in chosen if runs_by_slug.get(s.slug)]
    report["seconds"] = time.time() - start
    if stopped is not None:
        report.update(interrupted=True, interrupted_by=signals.name(stopped), finished=finished)
    code = _save(report, args.out, args.update, kept)
    return code or (signals.status(stopped) if stopped is not None else 0)


def _save(report, out, update, kept):
    """Write the report (merged into the one in `out` with `update`), then drop the run files
    `kept` that it now holds; 0, or 1 (or the signal's status) with one line saying where
    the kept runs are."""
    kept = [path for path in kept if path is not None]
    try:
        with locked(out):
            if update:  # read again: another run may have merged its sections meanwhile
                report = _merge(load_report(out / "report.json", report), report)
            write(report, out)
    except (Exception, KeyboardInterrupt) as e:  # nothing measured may be lost with it
        cause = signals.message(e) if isinstance(e, KeyboardInterrupt) else _cause(e)
        where = (f"; the {len(kept)} finished run(s) are kept in {kept[0].parent} "
                 f"(`reproduce --from-runs {kept[0].parent}` makes a report of them)" if kept
                 else "; no run had finished")
        print(f"error: the report in {out} was not written ({cause}){where}", file=sys.stderr)
        return signals.status(e) if isinstance(e, KeyboardInterrupt) else 1
    for path in kept:  # now in the report
        path.unlink(missing_ok=True)
    if kept:
        with contextlib.suppress(OSError):
            kept[0].parent.rmdir()  # only when empty: runs kept from other runs stay
    return 0


def _from_runs(args, parser):
    """A report of the runs kept in a folder (after a report could not be written)."""
    records = []
    for path in sorted(args.from_runs.glob("*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            section = sections.BY_SLUG[record["slug"]]
            record["run"]["status"], record["seed"], record["ctx"]
        except (OSError, ValueError, KeyError, TypeError) as e:
            parser.error(f"--from-runs: {path} is not a run kept by `reproduce` ({_cause(e)})")
        records.append((section, record, path))
    if not records:
        parser.error(f"--from-runs: no kept runs (*.json) in {args.from_runs}")
    order = {s.slug: i for i, s in enumerate(sections.SECTIONS)}
    records.sort(key=lambda r: (order[r[0].slug], r[1]["seed"]))
    seeds = sorted({r["seed"] for _, r, _ in records})
    report = {"device": records[0][1].get("device") or _device(records[0][1]["ctx"]),
              "ctx": records[0][1]["ctx"], "seeds": seeds,
              "versions": records[0][1].get("versions") or _versions(), "subset": None,
              "seconds": sum(r["run"].get("seconds", 0) for _, r, _ in records), "sections": []}
    if args.update:
        _read_report(args.out / "report.json", parser, "--update", new=report)
    for slug in dict.fromkeys(s.slug for s, _, _ in records):
        section = sections.BY_SLUG[slug]
        mine = [r for s, r, _ in records if s.slug == slug]
        report["sections"].append(_entry(section, [r["run"] for r in mine],
                                         sorted(r["seed"] for r in mine), mine[0]["subset"],
                                         mine[0]["default_subset"]))
    return _save(report, args.out, args.update, [path for _, _, path in records])


def _ctx_for(section, asked, ctx_text):
    """The ctx a section runs with: the one asked for; but with no --ctx, a section that
    computes on several devices keeps its own list (e.g. auto:2) instead of one device."""
    from gluon_tutorials import notebook, runtime

    default = {p.name: p.default for p in notebook.parameters(section.path)}.get("ctx")
    if asked == "auto" and default is not None and runtime.is_device_list(default):
        return default
    return ctx_text


def _merge(previous, new):
    """The previous report with the newly run sections' entries in place of theirs."""
    by_slug = {e["slug"]: e for e in new["sections"]}
    merged = [by_slug.pop(e["slug"], e) for e in previous["sections"]]
    order = {s.slug: i for i, s in enumerate(sections.SECTIONS)}
    merged = sorted(merged + list(by_slug.values()), key=lambda e: order.get(e["slug"], 1e9))
    result = dict(previous)
    result.update({k: v for k, v in new.items() if k not in ("sections", "seconds", "seeds")})
    result["seeds"] = sorted(set(previous.get("seeds", [])) | set(new["seeds"]))
    result["seconds"] = previous.get("seconds", 0) + new["seconds"]
    result["sections"] = merged
    return result


def _versions():
    import mxnet

    return {"python": platform.python_version(), "mxnet": mxnet.__version__,
            "numpy": np.__version__}


def _device(ctx):
    if ctx.startswith("gpu"):
        return ctx
    import os

    return f"cpu ({platform.processor() or platform.machine()}, {len(os.sched_getaffinity(0))} cores)"


if __name__ == "__main__":
    sys.exit(main())
