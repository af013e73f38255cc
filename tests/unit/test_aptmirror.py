"""Reading the Debian mirror from the host's apt configuration."""

import pytest

from proclab.engine.aptmirror import debian_mirror, parse_deb822, parse_one_line
from proclab.errors import EnvironmentProblem

DEB822 = """Types: deb
# a comment
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://src.example/debian
Suites: bookworm
Components: main
"""


def test_deb822():
    srcs = parse_deb822(DEB822)
    assert [(s.uri, s.suite) for s in srcs] == [
        ("http://mirror.example/debian", "bookworm"),
        ("http://mirror.example/debian", "bookworm-updates"),
    ]


def test_one_line():
    srcs = parse_one_line(
        "deb [arch=amd64] http://m.example/debian/ bookworm main contrib\n# deb x y\n"
    )
    assert srcs[0].uri == "http://m.example/debian" and srcs[0].components == ("main", "contrib")


def test_mirror_from_a_root(tmp_path):
    (tmp_path / "etc/apt/sources.list.d").mkdir(parents=True)
    (tmp_path / "etc/apt/sources.list.d/debian.sources").write_text(DEB822)
    assert debian_mirror("bookworm", tmp_path) == "http://mirror.example/debian"
    with pytest.raises(EnvironmentProblem, match="PROCLAB_DEBIAN_MIRROR"):
        debian_mirror("trixie", tmp_path)
