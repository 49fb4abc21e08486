from datasets.personal import find_in_text, redact_text


def spans(text):
    return [(kind.value, text[start:end]) for kind, start, end in find_in_text(text)]


def test_finds_each_kind_inside_text():
    text = (
        "Tôi là Nguyễn Văn An, số CCCD 079085012345, điện thoại 0912 345 678, "
        "email an.nguyen@gmail.com, xe biển số 51F-123.45, thẻ BHYT DN4797912345678."
    )
    assert spans(text) == [
        ("person_name", "Nguyễn Văn An"),
        ("citizen_id", "079085012345"),
        ("phone", "0912 345 678"),
        ("email", "an.nguyen@gmail.com"),
        ("licence_plate", "51F-123.45"),
        ("health_insurance", "DN4797912345678"),
    ]


def test_names_need_a_form_of_address_and_a_family_name():
    assert spans("bà Trần Thị Bích Ngọc phản ánh") == [("person_name", "Trần Thị Bích Ngọc")]
    assert spans("Đèn đường Nguyễn Thị Minh Khai bị hỏng") == []
    assert spans("ông Giám Đốc Sở") == []


def test_numbers_that_are_not_personal_stay():
    text = "Số tiền 1.250.000 đồng theo quyết định 123/QĐ-UBND, mã số DN 0314409058."
    assert spans(text) == []


def test_redact_replaces_each_value_with_a_placeholder():
    text = "Liên hệ bà Lê Thị Hoa - 0987654321 hoặc CCCD 001190123456."
    assert redact_text(text) == "Liên hệ bà [họ tên] - [số điện thoại] hoặc CCCD [số CCCD]."


def test_redact_leaves_clean_text_unchanged():
    text = "Đề nghị sửa chữa đèn chiếu sáng trên đường Lê Lợi, Phường Bến Nghé."
    assert redact_text(text) == text
