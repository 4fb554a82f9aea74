-- One row per audit rule the audit applies: the fixed rules of seed rule_catalog (§2, §5,
-- §11) and one per step deadline rule of seed step_policy (§10), with name, severity and
-- description. The pages label findings and filter by severity from it (published as the
-- snapshot's `main.rule_catalog`); a rule id in both seeds fails its uniqueness test.

select
    rule_id,
    rule_name,
    severity,
    description,
    'rule_catalog' as defined_in
from {{ ref('rule_catalog') }}

union all

select
    rule_id,
    rule_name,
    severity,
    description,
    'step_policy' as defined_in
from {{ ref('step_policy') }}
