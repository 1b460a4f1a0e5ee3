import pytest
from django.core.exceptions import ValidationError

from suppliers.validators import complete_organisation_number, normalise_organisation_number


@pytest.mark.parametrize(
    ("entered", "stored"),
    [
        ("556036-0793", "556036-0793"),  # a real, published organisation number
        ("5560360793", "556036-0793"),
        ("16556036-0793", "556036-0793"),
        (" 556036 - 0793 ", "556036-0793"),
    ],
)
def test_valid_numbers_are_stored_in_one_form(entered, stored):
    assert normalise_organisation_number(entered) == stored


def test_wrong_check_digit_is_rejected_with_a_reason():
    with pytest.raises(ValidationError) as error:
        normalise_organisation_number("556036-0794")
    assert "check digit" in error.value.messages[0]


@pytest.mark.parametrize("entered", ["", "55603", "556036-07933", "abcdef-ghij"])
def test_malformed_numbers_are_rejected(entered):
    with pytest.raises(ValidationError, match="ten digits"):
        normalise_organisation_number(entered)


def test_completed_numbers_pass_the_check():
    assert normalise_organisation_number(complete_organisation_number("556036079")) == "556036-0793"
