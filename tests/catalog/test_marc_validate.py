import pymarc
import pytest

from catalog.marc.reader import read_marc
from catalog.marc.validate import EditorField, fields_to_record, record_to_fields, validate_fields

from .marc_files import field_signature, needs_real_files, real_file

LEADER = "     nam a22     7a 4500"
FIXED = "250905s2021    vm            000 0 vie d"


def good_fields() -> list[EditorField]:
    return [
        EditorField(tag="001", data="TV-1"),
        EditorField(tag="008", data=FIXED),
        EditorField(tag="020", subfields=[("a", "978-604-0-00001-9")]),
        EditorField(
            tag="245", ind1="1", ind2="0", subfields=[("a", "Toán 6 /"), ("c", "Hà Huy Khoái")]
        ),
    ]


def codes(errors):
    return [(e.position, e.tag, e.code) for e in errors]


def test_a_good_record_has_no_errors():
    assert validate_fields(LEADER, good_fields()) == []


def test_leader_must_be_24_characters():
    errors = validate_fields(LEADER[:20], good_fields())
    assert codes(errors) == [(None, "LDR", "leader")]
    assert "24 ký tự" in errors[0].message


@pytest.mark.parametrize("tag", ["24", "2450", "24 ", "2á5", ""])
def test_tag_syntax(tag):
    fields = [*good_fields(), EditorField(tag=tag, subfields=[("a", "x")])]
    errors = validate_fields(LEADER, fields)
    assert codes(errors) == [(5, tag, "tag")]
    assert "3 chữ số" in errors[0].message


@pytest.mark.parametrize("indicator", ["", "10", "A", "\\"])
def test_indicator_syntax(indicator):
    fields = [
        *good_fields(),
        EditorField(tag="650", ind1=indicator, ind2="4", subfields=[("a", "Toán")]),
    ]
    errors = validate_fields(LEADER, fields)
    assert codes(errors) == [(5, "650", "indicator")]
    assert "chỉ thị 1" in errors[0].message


@pytest.mark.parametrize("code", ["", "ab", "A", "$", "á"])
def test_subfield_code_syntax(code):
    fields = [*good_fields(), EditorField(tag="650", subfields=[(code, "Toán")])]
    errors = validate_fields(LEADER, fields)
    assert codes(errors) == [(5, "650", "subfield")]
    assert "mã trường con" in errors[0].message


def test_245_is_required_with_a():
    without = [f for f in good_fields() if f.tag != "245"]
    errors = validate_fields(LEADER, without)
    assert codes(errors) == [(None, "245", "required")]
    no_a = [*without, EditorField(tag="245", ind1="0", ind2="0", subfields=[("b", "phụ đề")])]
    assert codes(validate_fields(LEADER, no_a)) == [(4, "245", "required")]


def test_245_is_not_repeatable():
    fields = [*good_fields(), EditorField(tag="245", subfields=[("a", "Lần hai")])]
    assert codes(validate_fields(LEADER, fields)) == [(5, "245", "repeated")]


def test_isbn_checksum_in_020_a():
    fields = good_fields()
    fields[2] = EditorField(tag="020", subfields=[("a", "978-604-0-00001-7")])
    errors = validate_fields(LEADER, fields)
    assert codes(errors) == [(3, "020", "isbn")]
    assert "số kiểm tra" in errors[0].message
    fields[2] = EditorField(tag="020", subfields=[("z", "978-604-0-00001-7")])
    assert validate_fields(LEADER, fields) == []


def test_control_fields_have_data_and_008_has_40_characters():
    fields = good_fields()
    fields[1] = EditorField(tag="008", data=FIXED[:30])
    assert codes(validate_fields(LEADER, fields)) == [(2, "008", "length")]
    fields[1] = EditorField(tag="008", data=FIXED, subfields=[("a", "x")])
    assert codes(validate_fields(LEADER, fields)) == [(2, "008", "subfield")]


def test_empty_subfield_and_field_without_subfields():
    fields = [
        *good_fields(),
        EditorField(tag="500", subfields=[("a", "  ")]),
        EditorField(tag="650"),
    ]
    assert codes(validate_fields(LEADER, fields)) == [
        (5, "500", "subfield"),
        (6, "650", "subfield"),
    ]


def test_fields_to_record_and_back():
    record = fields_to_record(LEADER.replace("a22", " 22"), good_fields())
    assert str(record.leader)[9] == "a"
    assert record["245"].indicators == pymarc.Indicators("1", "0")
    assert record["001"].data == "TV-1"
    assert record_to_fields(record) == good_fields()


@needs_real_files
def test_record_to_fields_round_trips_a_real_record():
    record = list(read_marc(real_file("pymarc/marc8.dat")))[0].record
    fields = record_to_fields(record)
    again = fields_to_record(str(record.leader), fields)
    assert field_signature(again) == field_signature(record)


def test_hash_is_accepted_as_a_blank_indicator():
    field = EditorField(tag="650", ind1="#", ind2="4", subfields=[("a", "Toán học")])
    assert (field.ind1, field.ind2) == (" ", "4")
