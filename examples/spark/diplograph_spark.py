#!/usr/bin/env python3
"""diplograph on Spark: the graph one machine would give, from a corpus Spark reads.

Spark reads the corpus with its own readers, on any file system it reaches (local, HDFS,
S3, ...):

* a folder of text files (``--format text``, the default): ``SparkContext.wholeTextFiles``;
  each ``*.txt`` file (any case, gzipped or not) is one document whose id is the file name
  without extension, dated by ``extract`` from the date the name starts with -- the ids and
  dates ``diplograph extract FOLDER`` gives, so both runs give the same bytes. Spark decodes the files as UTF-8, and
  ``wholeTextFiles`` does not descend into sub-folders: pass a glob (``corpus/*/*.txt``) for
  nested folders, and convert GBK/UTF-16 corpora to UTF-8 first (or run ``extract`` on them
  directly, which detects encodings).
* JSON Lines (``--format jsonl``): ``SparkContext.textFile``; each line is a record with
  ``id``, ``text`` and optionally ``date`` and ``title``, passed through unchanged.

Each partition's documents are streamed as JSON Lines through
``diplograph extract - --partial`` on the executor (the binary is shipped with
``SparkContext.addFile`` and found with ``SparkFiles.get``). The partials come back as
records; groups of ``--fan-in`` of them are merged with ``diplograph merge --partial`` on the
executors, level by level, until at most ``--fan-in`` are left, and the driver merges those
into the final outputs in ``OUTPUT``. Merging is associative and commutative, so neither the
partitioning nor the shape of the tree changes a byte of the outputs.

Run it with ``spark-submit`` or, with pyspark installed from PyPI, with plain python::

    cargo build --release
    python examples/spark/diplograph_spark.py ../shared/corpus/zh out/ \\
        --binary target/release/diplograph --master 'local[2]' --partitions 8

    spark-submit --master yarn examples/spark/diplograph_spark.py hdfs:///corpus/zh out/ \\
        --binary /opt/diplograph/diplograph --partitions 2000 --fan-in 16

Extract options that change results (``--window``, ``--node-types``, ``--weight``, ...) go
after ``--``; they are recorded in every partial and the final merge uses them. ``--dict DIR``
folders are shipped to the executors as well. The binary must run on the executors' OS and
CPU (build it there, or ``cargo build --release --target x86_64-unknown-linux-musl``).

Partials travel through Spark as bytes (a partial is roughly 2-4 times the size of its
input, mostly the final mentions.jsonl), and the last merge runs on the driver, which must
hold the last ``--fan-in`` partials on local disk.
"""

import argparse
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile

PARTIAL_FILES = ("mentions.jsonl", "events.jsonl", "totals.json", "partial.json")


def text_record(path_and_text):
    """(path, text) from wholeTextFiles -> one JSON Lines record, or None for other files."""
    path, text = path_and_text
    name = path.rstrip("/").rsplit("/", 1)[-1]
    # As `extract` names them: any case, gzipped or not (Spark unzips a .gz for us).
    if name.lower().endswith(".gz"):
        name = name[: -len(".gz")]
    if not name.lower().endswith(".txt"):
        return None
    stem = name[: -len(".txt")]
    # No date: extract takes a record's date from its id when it has none, as it takes a
    # file's from its name (2024-03-07_..., 20240307_..., 2024年3月7日...).
    return json.dumps({"id": stem, "text": text}, ensure_ascii=False)


def local_binary(name):
    """The shipped binary on this executor, made executable."""
    from pyspark import SparkFiles

    path = SparkFiles.get(name)
    mode = os.stat(path).st_mode
    if not mode & stat.S_IXUSR:
        os.chmod(path, mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def read_partial(folder):
    """A partial folder as a record: {file name: bytes}."""
    out = {}
    for name in PARTIAL_FILES:
        with open(os.path.join(folder, name), "rb") as f:
            out[name] = f.read()
    return out


def write_partial(record, folder):
    """A partial record back into a folder."""
    os.makedirs(folder)
    for name, data in record.items():
        with open(os.path.join(folder, name), "wb") as f:
            f.write(data)


def run(cmd, what):
    """Runs a diplograph command, failing the task with its stderr."""
    with tempfile.TemporaryFile() as err:
        rc = subprocess.call(cmd, stderr=err)
        if rc not in (0, 1):  # 1: some inputs skipped, partial written for the rest
            err.seek(0)
            raise RuntimeError(f"{what} exited {rc}: {err.read().decode('utf-8', 'replace')}")


def make_extract(binary_name, dict_names, extra, threads):
    """The function each partition runs: its JSON Lines through `extract - --partial`."""

    def extract(index, lines):
        binary = local_binary(binary_name)
        tmp = tempfile.mkdtemp(prefix=f"diplograph-p{index}-")
        try:
            out = os.path.join(tmp, "partial")
            cmd = [binary, "extract", "-", "--partial", "-o", out, "-q", "-j", str(threads)]
            for d in dict_names:
                from pyspark import SparkFiles

                cmd += ["--dict", SparkFiles.get(d)]
            cmd += extra
            with tempfile.TemporaryFile() as err:
                proc = None
                for line in lines:
                    if line is None or not line.strip():
                        continue
                    if proc is None:
                        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=err)
                    proc.stdin.write(line.encode("utf-8"))
                    proc.stdin.write(b"\n")
                if proc is None:
                    return  # an empty partition gives no partial
                proc.stdin.close()
                rc = proc.wait()
                if rc not in (0, 1):
                    err.seek(0)
                    raise RuntimeError(f"extract of partition {index} exited {rc}: {err.read().decode('utf-8', 'replace')}")
            yield read_partial(out)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    return extract


def make_merge(binary_name):
    """The function each merge task runs: a group of partials into one with `merge --partial`."""

    def merge(group):
        key, records = group
        binary = local_binary(binary_name)
        tmp = tempfile.mkdtemp(prefix=f"diplograph-m{key}-")
        try:
            dirs = []
            for i, record in enumerate(records):
                dirs.append(os.path.join(tmp, f"in{i}"))
                write_partial(record, dirs[-1])
            out = os.path.join(tmp, "out")
            run([binary, "merge", *dirs, "--partial", "-o", out, "-q"], f"merge of group {key}")
            return read_partial(out)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    return merge


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog="Options after -- go to `diplograph extract`.")
    ap.add_argument("input", help="a folder (or glob) of text files, or JSON Lines files, anywhere Spark reads")
    ap.add_argument("output", help="local output folder on the driver")
    ap.add_argument("--binary", default="target/release/diplograph", help="the diplograph binary (shipped to the executors)")
    ap.add_argument("--format", choices=("text", "jsonl"), default="text")
    ap.add_argument("--partitions", type=int, default=0, help="at least this many partitions (default: Spark's)")
    ap.add_argument("--fan-in", type=int, default=16, help="partials per merge (>= 2)")
    ap.add_argument("--threads", type=int, default=1, help="threads per extract task (Spark runs one task per core)")
    ap.add_argument("--dict", action="append", default=[], metavar="DIR", help="dictionary folder, as for extract")
    ap.add_argument("--master", default=None, help="Spark master when run without spark-submit, e.g. local[2]")
    args, extra = ap.parse_known_args(argv)
    extra = [a for a in extra if a != "--"]
    if args.fan_in < 2:
        ap.error("--fan-in must be at least 2")

    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("diplograph")
    if args.master:
        builder = builder.master(args.master)
    spark = builder.getOrCreate()
    sc = spark.sparkContext
    try:
        binary = os.path.abspath(args.binary)
        sc.addFile(binary)
        binary_name = os.path.basename(binary)
        dicts = [os.path.abspath(d) for d in args.dict]
        for d in dicts:
            sc.addFile(d, recursive=True)
        dict_names = [os.path.basename(d.rstrip("/")) for d in dicts]

        if args.format == "text":
            docs = sc.wholeTextFiles(args.input, minPartitions=max(args.partitions, 1)).map(text_record)
            docs = docs.filter(lambda r: r is not None)
        else:
            docs = sc.textFile(args.input, minPartitions=max(args.partitions, 1))
        if args.partitions and docs.getNumPartitions() < args.partitions:
            docs = docs.repartition(args.partitions)

        partials = docs.mapPartitionsWithIndex(make_extract(binary_name, dict_names, extra, args.threads)).cache()
        count = partials.count()
        level = 0
        while count > args.fan_in:
            groups = -(-count // args.fan_in)
            merged = (
                partials.zipWithIndex()
                .map(lambda pi, g=groups: (pi[1] % g, pi[0]))
                .groupByKey(groups)
                .map(make_merge(binary_name))
                .cache()
            )
            count = merged.count()
            partials.unpersist()
            partials, level = merged, level + 1

        last = partials.collect()
        tmp = tempfile.mkdtemp(prefix="diplograph-driver-")
        try:
            dirs = []
            for i, record in enumerate(last):
                dirs.append(os.path.join(tmp, f"in{i}"))
                write_partial(record, dirs[-1])
            cmd = [binary, "merge", *dirs, "-o", args.output]
            for d in dicts:
                cmd += ["--dict", d]
            rc = subprocess.call(cmd)
            if rc != 0:
                raise SystemExit(f"final merge exited {rc}")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        print(f"diplograph_spark: {docs.getNumPartitions()} partitions, {level} merge level(s) on executors, "
              f"{len(last)} partials merged on the driver -> {args.output}", file=sys.stderr)
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
