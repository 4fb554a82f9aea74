"""Personal data in free text and raw records is masked for everyone below admin."""

from __future__ import annotations

import pytest

from complaint_trace.pii import mask_free_text, mask_msisdn, mask_record


@pytest.mark.parametrize(("text", "expected"), [
    ("客户13812345678来电", "客户138****5678来电"),
    ("call 138 1234 5678 back", "call 138****5678 back"),
    ("call 138-1234-5678 back", "call 138****5678 back"),
    ("+86 13812345678", "138****5678"),
    # not a mobile number: 12 digits, a second digit outside 3-9, ten digits
    ("order 138123456789", "order 138123456789"),
    ("code 12812345678", "code 12812345678"),
    ("1381234567", "1381234567"),
])
def test_mobile_numbers_in_free_text_are_masked(text: str, expected: str) -> None:
    assert mask_free_text(text) == expected


def test_the_customers_own_name_is_hidden_in_free_text() -> None:
    masked = mask_free_text("张三说信号差，张三丰不是他", ["张三丰", "张三"])
    assert masked == "***说信号差，***不是他"
    assert mask_free_text(None, ["张三"]) is None


def test_a_raw_record_hides_name_and_masks_numbers_everywhere() -> None:
    record = {"msisdn": "13812345678", "customer_name": "李四", "tier": "gold", "score": 5,
              "note": "李四 说 139-0000-1111 也打不通"}
    assert mask_record(record) == {
        "msisdn": "138****5678", "customer_name": "***", "tier": "gold", "score": 5,
        "note": "*** 说 139****1111 也打不通"}
    assert mask_msisdn("1234567") == "*******"
