"""One measurement, in a fresh process of the interpreter under test.

Run by the harness as ``<venv>/bin/python benchmarks/probe.py <probe> --lib <lib> ...``;
prints one line ``BENCH-RESULT {json}`` on stdout (TensorFlow's chatter goes to
stderr). Only the standard library and the library under test are imported, so
import costs and peak RSS belong to that library alone.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

MARKER = "BENCH-RESULT "
REPEATED_CALLS = 100  # a repeated resolve() takes tens of microseconds: one alone is mostly noise
LIBS = {"tfhub": "tfhub", "tensorflow_hub": "tensorflow_hub"}


def _status_kb(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


def reset_peak_rss() -> bool:
    """Resets VmHWM to the current RSS (Linux >= 4.0); False when not possible."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


def import_lib(lib: str):
    return __import__(LIBS[lib])


def emit(result: dict) -> None:
    result.setdefault("pid", os.getpid())
    sys.stdout.write(MARKER + json.dumps(result) + "\n")
    sys.stdout.flush()


# -- probes ----------------------------------------------------------------

def probe_import(args: argparse.Namespace) -> dict:
    start = time.perf_counter()
    module = import_lib(args.lib)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "tensorflow_imported": "tensorflow" in sys.modules,
            "version": getattr(module, "__version__", "?")}


def probe_resolve(args: argparse.Namespace) -> dict:
    import_start = time.perf_counter()
    hub = import_lib(args.lib)
    import_seconds = time.perf_counter() - import_start
    if args.wait_for:  # line up with the other processes (the concurrency figure)
        sys.stdout.write("READY\n")
        sys.stdout.flush()
        while not os.path.exists(args.wait_for):
            time.sleep(0.002)
    reset_ok = reset_peak_rss()
    baseline_kb = _status_kb("VmRSS")
    hwm_before_kb = _status_kb("VmHWM")
    cpu_before = os.times()
    start_wall = time.time()
    start = time.perf_counter()
    path = hub.resolve(args.handle)
    seconds = time.perf_counter() - start
    cpu_after = os.times()
    peak_kb = _status_kb("VmHWM")
    again = time.perf_counter()
    for _ in range(REPEATED_CALLS):  # now cache hits with everything imported
        hub.resolve(args.handle)
    again_seconds = (time.perf_counter() - again) / REPEATED_CALLS
    return {
        "seconds": seconds,
        "import_seconds": import_seconds,
        "again_seconds": again_seconds,
        "start_wall": start_wall,
        "end_wall": start_wall + seconds,
        "path": path,
        "rss_baseline_mb": baseline_kb / 1024,
        "rss_peak_mb": peak_kb / 1024,
        # Without clear_refs the peak may be an import-time peak: report growth over it.
        "rss_growth_mb": (peak_kb - (baseline_kb if reset_ok else hwm_before_kb)) / 1024,
        "peak_reset": reset_ok,
        "cpu_seconds": (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system),
        "tensorflow_imported": "tensorflow" in sys.modules,
    }


def probe_load(args: argparse.Namespace) -> dict:
    """hub.load(handle), tf.saved_model.load(path) and the same tf load again (a control), after a warm-up of each.

    The three take turns in a rotating order, so each is first, second and
    third equally often. The control against the plain load shows what the
    pair method reads when both sides do the same work (its floor). With
    tfhub, its own work in ``hub.load`` (resolve and format check) is also
    timed alone, over many calls.
    """
    import tensorflow as tf

    hub = import_lib(args.lib)
    path = hub.resolve(args.handle)  # cached: not part of the timing below
    loaders = {"hub": lambda: hub.load(args.handle), "tf": lambda: tf.saved_model.load(path),
               "control": lambda: tf.saved_model.load(path)}
    loaders["tf"]()  # TensorFlow's one-time costs, paid by neither side,
    loaders["hub"]()  # nor the library's (its loading code is imported on the first hub.load)
    order = ("hub", "tf", "control")
    samples: dict = {mode: [] for mode in order}
    for i in range(args.loads):
        for mode in order[i % 3:] + order[:i % 3]:
            start = time.perf_counter()
            obj = loaders[mode]()
            samples[mode].append(time.perf_counter() - start)
            del obj
    result = {"hub_s": samples["hub"], "tf_s": samples["tf"], "control_s": samples["control"],
              "tf_version": tf.__version__}
    if args.lib == "tfhub":
        from tfhub import formats

        def own_work(handle: str) -> None:  # what tfhub.tf2.loading does besides TF's load
            formats.detect(hub.resolve(handle))

        # Five blocks of 200 calls: the wall seconds per call of each block.
        result["own_work_s"] = [_per_call(own_work, args.handle, calls=200)[0] for _ in range(5)]
    return result


def _per_call(fn, x, calls: int) -> tuple:
    """(wall, CPU) seconds per call, averaged over ``calls`` calls."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(calls):
        fn(x)
    return (time.perf_counter() - wall) / calls, (time.process_time() - cpu) / calls


def _median(values: list) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def probe_keras(args: argparse.Namespace) -> dict:
    import tensorflow as tf

    hub = import_lib(args.lib)
    path = hub.resolve(args.handle)
    layer = hub.KerasLayer(args.handle)
    loaded = tf.saved_model.load(path)
    direct = loaded.__call__
    via_layer = layer.__call__
    graph_layer = tf.function(lambda x: layer(x))
    graph_direct = tf.function(lambda x: direct(x))
    result = {"tf_version": tf.__version__}
    for batch in (1, 256):
        x = tf.random.stateless_normal([batch, 128], seed=[1, 2])
        cases = {"eager_layer": via_layer, "eager_direct": direct,
                 "function_layer": graph_layer, "function_direct": graph_direct}
        for fn in cases.values():  # trace and warm up
            for _ in range(10):
                fn(x)
        wall = {name: [] for name in cases}
        cpu = {name: [] for name in cases}
        calls = args.calls if batch == 1 else max(10, args.calls // 4)
        for block in range(args.blocks):  # interleaved, order reversed every other block
            for name in (cases if block % 2 == 0 else reversed(list(cases))):
                seconds, cpu_seconds = _per_call(cases[name], x, calls)
                wall[name].append(seconds)
                cpu[name].append(cpu_seconds)
        for name in cases:
            result[f"b{batch}_{name}_us"] = _median(wall[name]) * 1e6
            result[f"b{batch}_{name}_cpu_us"] = _median(cpu[name]) * 1e6
        for mode in ("eager", "function"):
            # Each block of layer calls against the block of direct calls next to it
            # (same moment, same machine load), then the median: drift cancels.
            layer_key, direct_key = f"{mode}_layer", f"{mode}_direct"
            for suffix, times in (("", wall), ("_cpu", cpu)):
                pairs = [on / off for on, off in zip(times[layer_key], times[direct_key])]
                result[f"b{batch}_{mode}{suffix}_pairs"] = pairs
                result[f"b{batch}_{mode}{suffix}_ratio"] = _median(pairs)
    return result


def probe_module(args: argparse.Namespace) -> dict:
    import tensorflow as tf

    hub = import_lib(args.lib)
    path = hub.resolve(args.handle)
    with tf.Graph().as_default():
        start = time.perf_counter()
        module = hub.Module(path)
        instantiated = time.perf_counter()
        x = tf.compat.v1.placeholder(tf.float32, [None])
        y = module(x)
        applied = time.perf_counter()
        with tf.compat.v1.Session() as session:
            session.run([tf.compat.v1.global_variables_initializer(),
                         tf.compat.v1.tables_initializer()])
            value = session.run(y, feed_dict={x: [1.0, 2.0]})
        finished = time.perf_counter()
    return {
        "instantiate_s": instantiated - start,
        "apply_s": applied - instantiated,
        "session_s": finished - applied,
        "instantiate_apply_s": applied - start,
        "total_s": finished - start,
        "value": [float(v) for v in value],
        "tf_version": tf.__version__,
    }


def _inflate_seconds(open_stream, path: str) -> float:
    """Wall seconds to decompress ``path`` to nowhere, reading 1 MiB at a time."""
    start = time.perf_counter()
    with open_stream(path) as stream:
        while stream.read(1 << 20):
            pass
    return time.perf_counter() - start


def _gunzips() -> dict:
    """The gunzips importable here: name -> function opening a path as a decompressed stream."""
    import gzip

    found = {"zlib (gzip module)": lambda p: gzip.open(p, "rb")}
    try:
        from isal import igzip, igzip_threaded

        found["ISA-L, reader thread (what tfhub uses)"] = lambda p: igzip_threaded.open(p, "rb", threads=1)
        found["ISA-L, one thread"] = lambda p: igzip.open(p, "rb")
    except ImportError:
        pass
    try:
        import rapidgzip

        cores = os.cpu_count() or 1
        found[f"rapidgzip, {cores} threads"] = lambda p: rapidgzip.open(p, parallelization=cores)
    except ImportError:
        pass
    return found


EXTRACT_LABEL = "tfhub extraction of the file (ISA-L + tar + writes + both SHA-256s)"


def _extract_seconds(path: str) -> float:
    """Wall seconds of tfhub extracting the local archive ``path``: a resolve without the network."""
    import shutil
    import tempfile

    from tfhub.resolving import handles, sources

    target = tempfile.mkdtemp(prefix="inflate-extract-", dir=os.path.dirname(os.path.dirname(path)))
    try:
        start = time.perf_counter()
        sources.local_archive_fetcher(path, handles.file_stamp(os.stat(path)), None)(target)
        return time.perf_counter() - start
    finally:
        shutil.rmtree(target)


def probe_inflate(args: argparse.Namespace) -> dict:
    """Each available gunzip decompresses the archive, then tfhub extracts it, in turns, ``--loads`` times."""
    samples = {name: [] for name in _gunzips()}
    samples[EXTRACT_LABEL] = []
    for _ in range(args.loads):
        for name, open_stream in _gunzips().items():
            samples[name].append(_inflate_seconds(open_stream, args.handle))
        samples[EXTRACT_LABEL].append(_extract_seconds(args.handle))
    return {"seconds": samples}


PROBES = {"inflate": probe_inflate, "import": probe_import, "resolve": probe_resolve, "load": probe_load,
          "keras": probe_keras, "module": probe_module}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("probe", choices=sorted(PROBES))
    parser.add_argument("--lib", choices=sorted(LIBS), required=True)
    parser.add_argument("--handle")
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--wait-for")
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--blocks", type=int, default=5)
    parser.add_argument("--profile", help="write a pyinstrument HTML profile here")
    args = parser.parse_args()
    if args.profile:
        import pyinstrument  # bench tooling only

        profiler = pyinstrument.Profiler(interval=0.001)
        profiler.start()
        result = PROBES[args.probe](args)
        profiler.stop()
        with open(args.profile, "w", encoding="utf-8") as out:
            out.write(profiler.output_text(unicode=True, color=False, show_all=False))
    else:
        result = PROBES[args.probe](args)
    result["lib"] = args.lib
    emit(result)


if __name__ == "__main__":
    main()
