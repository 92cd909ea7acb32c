"""hub.load, hub.resolve, the cache layout and the environment variables."""

import hashlib
import os

import numpy as np

from tests.differential.harness import attempt, scenario

X = np.array([[1.0, 2.0], [3.0, -1.0]], np.float32)


@scenario([("load", "handle")])
def load_reusable(hub, ctx):
    import tensorflow as tf
    obj = hub.load(ctx.models["reusable"])
    return {"y": obj(tf.constant(X)), "variables": sorted(v.name for v in obj.variables),
            "trainable": sorted(v.name for v in obj.trainable_variables),
            "signatures": sorted(obj.signatures), "losses": [float(f()) for f in obj.regularization_losses],
            "serving": obj.signatures["serving_default"](x=tf.constant(X))}


@scenario([("load", "tags")])
def load_tags(hub, ctx):
    import tensorflow as tf
    return {"serve": hub.load(ctx.models["reusable"], tags=["serve"])(tf.constant(X)),
            "set": hub.load(ctx.models["reusable"], tags={"serve"})(tf.constant(X)),
            "bogus": attempt(lambda: hub.load(ctx.models["reusable"], tags=["bogus"]))}


@scenario([("load", "options")])
def load_options(hub, ctx):
    import tensorflow as tf
    options = tf.saved_model.LoadOptions(experimental_io_device="/job:localhost")
    return {"y": hub.load(ctx.models["reusable"], options=options)(tf.constant(X))}


@scenario([("load", "handle"), ("resolve", "handle")])
def load_and_resolve_missing(hub, ctx):
    missing = os.path.join(ctx.tmp, "nowhere")
    return {"load": attempt(lambda: hub.load(missing)), "resolve": attempt(lambda: hub.resolve(missing)),
            "empty_dir_load": attempt(lambda: hub.load(ctx.tmp))}


@scenario([("resolve", "handle")])
def resolve_local_path(hub, ctx):
    path = ctx.models["reusable"]
    return {"same": hub.resolve(path) == path, "type": type(hub.resolve(path)).__name__}


def _listing(root):
    return sorted(os.path.relpath(os.path.join(d, f), root) for d, _, files in os.walk(root) for f in files)


@scenario([("resolve", "handle"), ("load", "handle")], differs={"entries": (
    ["<sha1>", "<sha1>.descriptor.txt"], [".locks", "<sha1>", "<sha1>.descriptor.txt"])})
def resolve_url_cache_layout(hub, ctx):
    """TFHUB_CACHE_DIR (set per scenario) gets <sha1(url)>/ and <sha1(url)>.descriptor."""
    import tensorflow as tf
    url = ctx.url + "/reusable"
    path = hub.resolve(url)
    cache = os.environ["TFHUB_CACHE_DIR"]
    key = hashlib.sha1(url.encode("utf8")).hexdigest()
    entries = sorted(os.listdir(cache))
    return {"path_is_entry": os.path.realpath(path) == os.path.realpath(os.path.join(cache, key)),
            "entries": [e.replace(key, "<sha1>") for e in entries],
            "files": _listing(path), "again": hub.resolve(url) == path,
            "load": hub.load(url)(tf.constant(X))}


@scenario([("resolve", "handle")])
def env_cache_dir_relative_and_created(hub, ctx):
    os.chdir(ctx.tmp)
    os.environ["TFHUB_CACHE_DIR"] = "relative/cache"
    path = hub.resolve(ctx.url + "/reusable")
    return {"under_cwd": os.path.realpath(path).startswith(os.path.realpath(ctx.tmp)),
            "exists": os.path.isdir(os.path.join(ctx.tmp, "relative", "cache"))}


@scenario([("resolve", "handle")])
def env_cache_dir_file_url(hub, ctx):
    os.chdir(ctx.tmp)
    target = os.path.join(ctx.tmp, "abs_cache")
    os.environ["TFHUB_CACHE_DIR"] = "file://" + target
    path = hub.resolve(ctx.url + "/reusable")
    return {"in_target": os.path.isdir(target) and bool(os.listdir(target)),
            "no_file_dir_in_cwd": not os.path.exists(os.path.join(ctx.tmp, "file:")), "path": bool(path)}


@scenario([("resolve", "handle")])
def env_model_load_format(hub, ctx):
    url = ctx.url + "/reusable"
    out = {}
    for value in ("COMPRESSED", "AUTO"):
        os.environ["TFHUB_MODEL_LOAD_FORMAT"] = value
        out[value] = os.path.isfile(os.path.join(hub.resolve(url), "saved_model.pb"))
    os.environ["TFHUB_MODEL_LOAD_FORMAT"] = "UNCOMPRESSED"
    out["uncompressed_local"] = hub.resolve(ctx.models["reusable"]) == ctx.models["reusable"]
    return out


@scenario([("resolve", "handle")])
def env_download_progress(hub, ctx):
    os.environ["TFHUB_DOWNLOAD_PROGRESS"] = "1"
    return {"ok": os.path.isdir(hub.resolve(ctx.url + "/reusable"))}


@scenario([("resolve", "handle"), ("load", "handle")], differs={"cache_left": ([], [".locks"])})
def bad_url(hub, ctx):
    return {"resolve_404": attempt(lambda: hub.resolve(ctx.url + "/missing")),
            "cache_left": sorted(e for e in os.listdir(os.environ["TFHUB_CACHE_DIR"])
                                 if not e.endswith(".lock"))
            if os.path.isdir(os.environ["TFHUB_CACHE_DIR"]) else []}


@scenario([("load", "handle")], hub=("0.15",))
def load_tf1_hub_format(hub, ctx):
    import tensorflow as tf
    obj = hub.load(ctx.models["tf1_affine"])
    train = hub.load(ctx.models["tf1_affine"], tags={"train"})
    return {"signatures": sorted(obj.signatures),
            "default": obj.signatures["default"](tf.constant(X)),
            "named": obj.signatures["named"](x=tf.constant(X)),
            "train": train.signatures["default"](tf.constant(X)),
            "variables": sorted(v.name for v in obj.variables)}


@scenario([("load", "handle")], hub=("0.16",))
def load_tf1_hub_format_016(hub, ctx):
    """0.16 still reads TF1 Hub format modules through hub.load (the module is made by tfhub)."""
    import tensorflow as tf
    obj = hub.load(ctx.models["tf1_affine"])
    return {"signatures": sorted(obj.signatures), "default": obj.signatures["default"](tf.constant(X))}


@scenario([("resolve", "handle")])
def absl_flag_tfhub_cache_dir(hub, ctx):
    """The caching guide's --tfhub_cache_dir flag, parsed by the program's absl flags."""
    from absl import flags
    target = os.path.join(ctx.tmp, "flag_cache")
    flags.FLAGS(["program", "--tfhub_cache_dir=" + target])
    del os.environ["TFHUB_CACHE_DIR"]
    try:
        path = hub.resolve(ctx.url + "/reusable")
    finally:
        flags.FLAGS.unparse_flags()
    return {"under_flag_dir": os.path.realpath(path).startswith(os.path.realpath(target))}


UNSUPPORTED = {"error": ["tf.errors.OpError", "tf.errors.UnimplementedError"]}


# Deliberate (README): any case is accepted, anything else is a clear ValueError.
@scenario([("resolve", "handle")], differs={
    "'compressed'": (UNSUPPORTED, True), "'Auto'": (UNSUPPORTED, True),
    "'bogus'": (UNSUPPORTED, {"error": ["ValueError"]})})
def env_model_load_format_spellings(hub, ctx):
    url = ctx.url + "/reusable"
    out = {}
    for value in ("compressed", "Auto", "bogus", ""):
        os.environ["TFHUB_MODEL_LOAD_FORMAT"] = value
        out[repr(value)] = attempt(lambda: os.path.isdir(hub.resolve(url)), message=False)
    return out


# Deliberate (README): a local archive file is extracted into the cache and loaded;
# tensorflow_hub resolves it to the archive itself, and its load then fails.
@scenario([("resolve", "handle"), ("load", "handle")], differs={
    "resolves_to_archive": (True, False), "load": ({"error": ["ValueError"]}, True)})
def resolve_local_archive_file(hub, ctx):
    import tarfile

    import tensorflow as tf
    archive_path = os.path.join(ctx.tmp, "reusable.tar.gz")
    with tarfile.open(archive_path, "w:gz") as tar:
        tar.add(ctx.models["reusable"], arcname=".")
    expected = hub.load(ctx.models["reusable"])(tf.constant(X))
    return {"resolves_to_archive": hub.resolve(archive_path) == archive_path,
            "load": attempt(lambda: bool(np.allclose(hub.load(archive_path)(tf.constant(X)), expected)),
                            message=False),
            "directory_in_place": hub.resolve(ctx.models["reusable"]) == ctx.models["reusable"]}
