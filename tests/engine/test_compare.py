import numpy as np
import pytest

from graders.compare import Checks, as_array, assert_close, assert_shape, relative_difference
from graders.errors import PartialCredit, StudentError, public_message, staff_message


def test_relative_difference_is_the_handouts_formula():
    x, y = np.array([3.0, 4.0]), np.array([0.0, 4.0])
    assert relative_difference(x, y) == pytest.approx(3.0 / 5.0)
    assert relative_difference(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_difference(x, -x) == pytest.approx(2.0)


def test_assert_close_accepts_a_float32_answer_to_a_float64_question():
    rng = np.random.default_rng(0)
    expected = rng.standard_normal((40, 30))
    assert_close("f", expected.astype(np.float32), expected)
    with pytest.raises(StudentError):
        assert_close("f", (expected + 1e-3).astype(np.float64), expected)


def test_shape_mismatch_message_names_function_and_shapes_the_expected_one_for_staff():
    with pytest.raises(StudentError) as err:
        assert_close("layer_norm", np.zeros((5, 4)), np.zeros((4, 5)))
    assert staff_message(str(err.value)) == (
        "layer_norm: got shape (5, 4), not the expected shape (4, 5)")
    assert public_message(str(err.value)) == "layer_norm: got shape (5, 4), not the expected shape"


def test_value_mismatch_message_points_at_the_largest_difference():
    expected = np.arange(6.0).reshape(2, 3)
    got = expected.copy()
    got[1, 2] = 50.0
    with pytest.raises(StudentError) as err:
        assert_close("xcorr2d", got, expected, where=" for inputs of shape (2, 3)")
    message = staff_message(str(err.value))
    assert message.startswith("xcorr2d: relative difference")
    assert "index (1, 2): got 50, expected 5)" in message
    assert "for inputs of shape (2, 3)" in message
    assert "index (1, 2): got 50)" in public_message(str(err.value))  # the expected 5 is drawn


def test_nan_in_the_answer_is_reported():
    got = np.ones(4)
    got[2] = np.nan
    with pytest.raises(StudentError) as err:
        assert_close("f", got, np.ones(4))
    assert public_message(str(err.value)) == "f: the result has nan at index (2,)"
    assert staff_message(str(err.value)) == "f: the result has nan at index (2,), expected 1.0"


@pytest.mark.parametrize("value", ["text", {"a": 1}, [1, "x"], None])
def test_non_numeric_answers_are_student_errors(value):
    with pytest.raises(StudentError, match="^f: "):
        as_array(value, "f")


def test_assert_shape_returns_the_array():
    assert assert_shape("f", [[1, 2]], (1, 2)).shape == (1, 2)
    with pytest.raises(StudentError) as err:
        assert_shape("f", [[1, 2]], (2, 1))
    assert staff_message(str(err.value)) == "f: got shape (1, 2), not the expected shape (2, 1)"


def test_checks_give_partial_credit_and_list_the_failures():
    checks = Checks()
    for got in (1.0, 2.0, 1.0, 1.0):
        with checks.case():
            assert_close("f", np.array(got), np.array(1.0))
    with pytest.raises(PartialCredit) as err:
        checks.finish()
    assert err.value.fraction == pytest.approx(0.75)
    assert "1 of 4 checks failed" in str(err.value)


def test_checks_with_no_pass_are_a_plain_failure_and_all_passing_is_silent():
    failing = Checks()
    with failing.case():
        raise StudentError("f: wrong")
    with pytest.raises(StudentError) as err:
        failing.finish()
    assert not isinstance(err.value, PartialCredit)
    passing = Checks()
    with passing.case():
        pass
    passing.finish()
