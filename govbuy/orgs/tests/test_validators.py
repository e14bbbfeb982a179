"""统一社会信用代码 (GB 32100-2015) and how organizations are registered with it."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from govbuy.core.errors import ApplicationError
from govbuy.orgs.models import Organization
from govbuy.orgs.validators import CHARSET, uscc_check_char, uscc_error, validate_uscc

# The standard's own example, and codes whose check character was computed by
# hand from GB 32100-2015: weight of position i (1-based) is 3^(i-1) mod 31, the
# check character is 31 − (Σ value × weight mod 31), 31 meaning 0.
VALID = [
    "91350100M000100Y43",  # the example of GB 32100-2015
    "91110108MA01ABCDEN",
    "12410000415800207U",
    "52410100MJF123456F",
    "11410100005184762G",
    "N2410122MF0000001K",
    "92410300MA9XKC7L7G",
]


def _reference_check_char(first17: str) -> str:
    total = sum(CHARSET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return CHARSET[(31 - total % 31) % 31]


def test_charset_excludes_i_o_z_s_v():
    assert len(CHARSET) == 31
    assert not set("IOZSV") & set(CHARSET)


@pytest.mark.parametrize("code", VALID)
def test_valid_codes(code):
    assert uscc_error(code) is None
    validate_uscc(code)  # does not raise
    assert uscc_check_char(code[:17]) == code[17] == _reference_check_char(code[:17])


@pytest.mark.parametrize("code", VALID)
def test_every_other_check_character_is_refused(code):
    for wrong in CHARSET:
        if wrong == code[17]:
            continue
        error = uscc_error(code[:17] + wrong)
        assert error is not None
        assert code[17] in error and wrong in error


def test_wrong_check_character_message():
    with translation.override("en"):
        error = uscc_error("91350100M000100Y44")
    assert "expected 3" in error and "got 4" in error


@pytest.mark.parametrize("code", ["", "91350100M000100Y4", "91350100M000100Y433", "9135"])
def test_wrong_length(code):
    with translation.override("en"):
        error = uscc_error(code)
    assert error is not None
    assert f"({len(code)}" in error or str(len(code)) in error
    assert "18" in error


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_forbidden_letters(letter):
    code = "91350100" + letter + "000100Y43"
    assert len(code) == 18
    error = uscc_error(code)
    assert error is not None
    assert letter in error


@pytest.mark.parametrize(
    "code", ["91350100m000100y43", "91350100M000100Y4-", "９1350100M000100Y43"]
)
def test_other_characters_are_refused(code):
    assert uscc_error(code) is not None


def test_validate_uscc_raises_validation_error():
    with pytest.raises(ValidationError) as exc:
        validate_uscc("91350100M000100Y44")
    assert exc.value.code == "invalid_uscc"


def test_model_field_validates_the_uscc(region):
    org = Organization(
        name="校验测试", region=region("410100"), org_type="enterprise", uscc="91350100M000100Y44"
    )
    with pytest.raises(ValidationError) as exc:
        org.full_clean()
    assert "uscc" in exc.value.message_dict


# --- registering organizations ----------------------------------------------------------


def test_organization_is_registered_with_a_valid_uscc(make_org):
    org = make_org("有效代码企业", org_type="enterprise", is_provider=True, uscc=VALID[1])
    org.refresh_from_db()
    assert org.uscc == VALID[1]


def test_uscc_is_normalized_to_upper_case(make_org):
    org = make_org("小写代码企业", org_type="enterprise", uscc=" 91350100m000100y43 ")
    org.refresh_from_db()
    assert org.uscc == "91350100M000100Y43"


@pytest.mark.parametrize(
    "uscc", ["91350100M000100Y44", "91350100M000100Y4", "91350100O000100Y43", ""]
)
def test_invalid_or_missing_uscc_is_refused_with_field_uscc(make_org, uscc):
    with pytest.raises(ApplicationError) as exc:
        make_org("代码错误企业", org_type="enterprise", uscc=uscc)
    assert exc.value.field == "uscc"
    assert exc.value.code in ("invalid_uscc", "required")
    assert not Organization.objects.filter(name="代码错误企业").exists()


def test_natural_person_has_no_uscc(make_org):
    person = make_org("张三", org_type="natural_person", is_provider=True)
    person.refresh_from_db()
    assert person.uscc == ""
    assert person.is_provider


def test_natural_person_with_a_blank_uscc_is_not_a_duplicate(make_org):
    make_org("张三", org_type="natural_person", is_provider=True)
    person = make_org("张四", org_type="natural_person", is_provider=True, uscc="   ")
    person.refresh_from_db()
    assert person.uscc == ""


def test_natural_person_with_a_uscc_is_refused(make_org):
    with pytest.raises(ApplicationError) as exc:
        make_org("李四", org_type="natural_person", uscc="91350100M000100Y43")
    assert exc.value.field == "uscc"
    assert exc.value.code == "invalid_uscc"
    assert not Organization.objects.filter(name="李四").exists()


def test_several_natural_persons_may_exist(make_org):
    make_org("王五", org_type="natural_person", is_provider=True)
    make_org("赵六", org_type="natural_person", is_provider=True)
    assert Organization.objects.filter(org_type="natural_person", uscc="").count() == 2


@pytest.mark.parametrize("second", ["91350100M000100Y43", "91350100m000100y43"])
def test_duplicate_uscc_is_refused(make_org, second):
    make_org("先登记的企业", org_type="enterprise", uscc="91350100M000100Y43")
    with pytest.raises(ApplicationError) as exc:
        make_org("后登记的企业", org_type="enterprise", uscc=second)
    assert exc.value.code == "duplicate"
    assert exc.value.field == "uscc"
    assert not Organization.objects.filter(name="后登记的企业").exists()
