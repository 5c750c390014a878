"""The bundled examples give today's answers: CLI JSON, the HTML report and the web app's run.

Each case in :mod:`golden` (tests/golden.py) is compared with the file kept in ``tests/data/golden``
(written from main before the one-engine redesign): text exactly, numbers within
``GOLDEN_RTOL``. A refactor that changes any answer fails here, naming the first differences.
"""

import pytest

from golden import CASES, GOLDEN, differences, serialise


@pytest.mark.parametrize("name", sorted(CASES))
def test_output_matches_the_kept_answer(name: str) -> None:
    expected = (GOLDEN / name).read_text(encoding="utf-8")
    actual = serialise(CASES[name]())
    assert differences(expected, actual) == []


def test_differences_finds_changed_numbers_and_text() -> None:
    assert differences('{"p": 0.5}', '{"p": 0.5000000000001}') == []
    assert differences('{"p": 0.5}', '{"p": 0.51}') != []
    assert differences('{"p": 0.5}', '{"q": 0.5}') != []
    assert differences('[1.0, 2.0]', '[1.0]') != []


def test_plotly_typed_arrays_compare_as_numbers() -> None:
    """A float written as base64 by plotly differs in its last bit on another CPU: a number
    within the tolerance, not a changed text; a real change still shows."""
    import base64

    import numpy as np

    def typed(values) -> str:
        data = base64.b64encode(np.asarray(values, dtype="<f8").tobytes()).decode()
        return '{"y": {"dtype": "f8", "bdata": "' + data + '"}}'

    x = 93.63603960744237
    assert differences(typed([100.0, x]), typed([100.0, np.nextafter(x, 0)])) == []
    assert differences(typed([100.0, x]), typed([100.0, x + 0.01])) != []
    assert differences(typed([100.0, x]), typed([100.0])) != []
