"""The clone's settings read all at once for one operation (`config_read_once`, one `git
config --list`) give the answers git gives one key at a time: the last of many values, a
bare key, a subsection's own case, an included file, every way git writes a boolean; and
what the operation sets itself is read back."""

from __future__ import annotations

from pathlib import Path

import pytest
from testing import git, small_repo
from testing.gitlog import counting_git

from openbook.git.repo import (
    config_bool,
    config_entries,
    config_get,
    config_read_once,
    config_set,
)

CONFIG = """
[core]
\tbare = false
[remote "Origin"]
\turl = /srv/one.git
\turl = /srv/two.git
[url "ssh://host/"]
\tinsteadOf = h:
[openbook]
\tpartner = alice
\tflag
[commit]
\tgpgsign = yes
[include]
\tpath = more.config
"""
MORE = "[gpg]\n\tformat = ssh\n[b]\n\tzero = 0\n\tkilo = 1k\n\toff = off\n\tword = maybe\n"
KEYS = [
    "remote.Origin.url",
    "REMOTE.Origin.URL",
    "remote.origin.url",
    "openbook.partner",
    "openbook.flag",
    "gpg.format",
    "commit.gpgSign",
    "no.such.key",
    "b.zero",
]
BOOLS = ["commit.gpgsign", "openbook.flag", "b.zero", "b.kilo", "b.off", "no.such", "b.word"]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = small_repo(tmp_path)
    config = root / ".git" / "config"
    config.write_text(config.read_text() + CONFIG)
    (root / ".git" / "more.config").write_text(MORE)
    return root


def _plain_bool(root: Path, key: str) -> bool:
    return git(root, "config", "--type=bool", "--get", key, check=False) == "true"


def test_one_reading_answers_as_git_does_key_by_key(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one_by_one = [config_get(repo, k) for k in KEYS], [config_bool(repo, k) for k in BOOLS]
    assert one_by_one[0][:3] == ["/srv/two.git", "/srv/two.git", None]
    assert one_by_one[1] == [_plain_bool(repo, k) for k in BOOLS]
    assert one_by_one[1][:4] == [True, True, False, True]
    log = counting_git(tmp_path, monkeypatch)
    with config_read_once():
        at_once = [config_get(repo, k) for k in KEYS], [config_bool(repo, k) for k in BOOLS]
        remotes = config_entries(repo, ("remote.", "url."))
    assert at_once == one_by_one
    assert remotes == [
        ("remote.Origin.url", "/srv/one.git"),
        ("remote.Origin.url", "/srv/two.git"),
        ("url.ssh://host/.insteadof", "h:"),
    ]
    assert [c for c in log.read_text().splitlines() if "config" in c] == ["config -z --list"]


def test_what_an_operation_sets_is_read_back_within_it(repo: Path) -> None:
    with config_read_once():
        assert config_get(repo, "openbook.partner") == "alice"
        config_set(repo, "openbook.partner", "bob")
        assert config_get(repo, "openbook.partner") == "bob"
        git(repo, "config", "openbook.partner", "carol")  # another writer: not seen here
        assert config_get(repo, "openbook.partner") == "bob"
    assert config_get(repo, "openbook.partner") == "carol"


def test_a_clone_whose_settings_git_cannot_read_is_asked_key_by_key(repo: Path) -> None:
    (repo / ".git" / "more.config").write_text("[b\n")
    with config_read_once():
        assert config_get(repo, "openbook.partner") is None
        assert config_bool(repo, "commit.gpgsign") is False
        assert config_entries(repo, ("remote.",)) == []
