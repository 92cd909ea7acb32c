"""The public surface itself."""

from tests.differential.coverage import surface
from tests.differential.harness import attempt, scenario


@scenario([("__version__", "")])
def version_string(hub, ctx):
    return {"is_str": isinstance(hub.__version__, str), "dotted": hub.__version__.count(".") >= 1}


@scenario([], superset=True)
def api_surface(hub, ctx):
    """Every public name and parameter; compared as "tfhub has at least tensorflow_hub's"."""
    return {"surface": surface(hub), "all": sorted(getattr(hub, "__all__", []))}


@scenario([], hub=("0.15",), superset=True)  # tfhub's __all__ adds load_trainable
def star_import(hub, ctx):
    namespace = {}
    exec(f"from {hub.__name__} import *", namespace)  # the pattern under test
    return {"names": sorted(n for n in namespace if not n.startswith("__"))}


@scenario([], hub=("0.16",), differs={"star": (
    {"error": ["AttributeError"]}, "ok")})
def star_import_016(hub, ctx):
    """tensorflow_hub 0.16.1's __all__ still names the removed TF1 API (its bug); tfhub's works."""
    def star():
        exec(f"from {hub.__name__} import *", {})
        return "ok"
    outcome = attempt(star)
    if isinstance(outcome, dict):
        outcome.pop("message", None)
    return {"star": outcome}
