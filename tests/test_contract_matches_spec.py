"""`complaint_trace/contract.py` says exactly what `shared/spec/data-contract.md` says: entity
folders, keys, columns in order, types, required columns, enumerations and value ranges, all
parsed from the spec's own markdown tables."""

from __future__ import annotations

import pytest

from complaint_trace.contract import ENTITIES, ENTITIES_BY_PATH
from tests.simulator.sim_spec import SHARED_SPEC_DIR, VENDORED_SPEC_DIR, contract

SPEC = contract()


def test_spec_parses_all_nine_entities() -> None:
    assert len(SPEC) == 9
    assert all(e.columns for e in SPEC.values())


def test_contract_has_exactly_the_spec_entities() -> None:
    assert sorted(ENTITIES_BY_PATH) == sorted(SPEC)
    assert len(ENTITIES) == len(SPEC)


@pytest.mark.parametrize("path", sorted(SPEC))
def test_entity_key_and_column_order(path: str) -> None:
    ours, spec = ENTITIES_BY_PATH[path], SPEC[path]
    assert ours.key == spec.key
    assert [c.name for c in ours.columns] == [c.name for c in spec.columns]


@pytest.mark.parametrize("path", sorted(SPEC))
def test_column_types_requiredness_and_enums(path: str) -> None:
    ours = ENTITIES_BY_PATH[path]
    for spec_col in SPEC[path].columns:
        col = ours.column(spec_col.name)
        assert col.type == spec_col.type, f"{path}.{col.name}"
        assert col.required == spec_col.required, f"{path}.{col.name}"
        assert tuple(col.values) == spec_col.values, f"{path}.{col.name}"


@pytest.mark.parametrize("path", sorted(SPEC))
def test_value_ranges_the_spec_states(path: str) -> None:
    ours = ENTITIES_BY_PATH[path]
    for spec_col in SPEC[path].columns:
        if spec_col.min is None and spec_col.max is None:
            continue  # the contract may add physical bounds (latitude) where the spec is silent
        col = ours.column(spec_col.name)
        assert (col.min, col.max) == (spec_col.min, spec_col.max), f"{path}.{col.name}"


def test_conditional_requirement_is_not_a_plain_required_column() -> None:
    closure = SPEC["ticketing/ticket_events"].column("closure_code")
    assert closure.conditional == "required on `resolved`"
    assert not ENTITIES_BY_PATH["ticketing/ticket_events"].column("closure_code").required


@pytest.mark.skipif(not SHARED_SPEC_DIR.is_dir(), reason="shared spec not beside this clone")
@pytest.mark.parametrize("name", ["domain.md", "data-contract.md", "audit-rules.md"])
def test_vendored_spec_is_the_shared_spec(name: str) -> None:
    assert (VENDORED_SPEC_DIR / name).read_bytes() == (SHARED_SPEC_DIR / name).read_bytes()
