"""The wheel a user installs: license, type marker, metadata, and only what loading needs."""

import subprocess
import sys
import zipfile
from email.parser import Parser

from tests.conftest import REPO_ROOT


def test_wheel_ships_license_type_marker_and_lean_dependencies(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "-w", str(tmp_path), str(REPO_ROOT)], check=True, capture_output=True, timeout=300)
    (wheel,) = tmp_path.glob("tfhub-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(archive.read(metadata_name).decode())
    assert "tfhub/py.typed" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert metadata["License-Expression"] == "Apache-2.0"
    assert "Typing :: Typed" in metadata.get_all("Classifier")
    required = {r.split(";")[0].split(">")[0].split("=")[0].strip() for r in metadata.get_all("Requires-Dist")
                if "extra ==" not in r}
    # TensorFlow (and numpy with it) is the user's own: the CLI and the resolver need neither.
    assert required == {"requests", "urllib3", "filelock", "tqdm", "protobuf"}
