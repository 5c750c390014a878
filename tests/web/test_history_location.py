"""Where a workspace's saved versions live: in the workspace, never inside the package."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy")

from typer.testing import CliRunner  # noqa: E402

from redline.cli import app  # noqa: E402
from redline.web.store import DEFAULT_DB, Store, default_url, history_path  # noqa: E402

PACKAGE = Path(str(resources.files("redline"))).resolve()
EXAMPLES = PACKAGE / "examples"


@pytest.fixture
def data_home(tmp_path, monkeypatch):
    home = tmp_path / "data-home"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


def test_a_writable_workspace_keeps_its_history_in_its_own_dot_redline_folder(tmp_path):
    assert history_path(tmp_path) == tmp_path.resolve() / DEFAULT_DB


def test_the_bundled_examples_keep_their_history_in_the_user_data_folder(data_home):
    path = history_path(EXAMPLES)
    assert PACKAGE not in path.parents
    assert data_home.resolve() in path.resolve().parents
    assert path.name == "history.sqlite3"
    assert history_path(EXAMPLES) == path  # the same folder, the same file every time


def test_two_folders_of_the_same_name_get_different_histories(tmp_path, data_home):
    one, two = tmp_path / "a" / "examples", tmp_path / "b" / "examples"
    one.mkdir(parents=True)
    two.mkdir(parents=True)
    assert history_path(one) != history_path(two)


def test_saving_from_the_bundled_examples_writes_nothing_into_the_package(data_home):
    before = sorted(p.name for p in EXAMPLES.iterdir())
    store = Store.open(default_url(EXAMPLES))
    store.close()
    assert sorted(p.name for p in EXAMPLES.iterdir()) == before
    assert history_path(EXAMPLES).exists()


def test_history_of_the_bundled_examples_lists_nothing_before_anything_is_saved(data_home):
    before = sorted(p.name for p in EXAMPLES.iterdir())
    result = CliRunner().invoke(app, ["history", "--workspace", str(EXAMPLES), "--json"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "[]"
    assert sorted(p.name for p in EXAMPLES.iterdir()) == before
