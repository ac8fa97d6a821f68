"""Civil Code art. 278 at every edge: quorum 2/3 of heads and of area, 3/4 for items 6–8,
more than half for the rest; 以上 includes the bound, 过半数 does not (art. 1259)."""

from decimal import Decimal

import pytest

from kuihua.council.counting import Matter, Tally, decide, quorum_met

# A compound of 12 owners holding 1,200.00 m².
ELIGIBLE = {"eligible_heads": 12, "eligible_area": Decimal("1200.00")}


def tally(voting_heads, voting_area, yes_heads, yes_area) -> Tally:
    return Tally(
        **ELIGIBLE,
        voting_heads=voting_heads,
        voting_area=Decimal(voting_area),
        yes_heads=yes_heads,
        yes_area=Decimal(yes_area),
    )


def test_exactly_two_thirds_of_owners_and_of_area_is_a_quorum():
    assert quorum_met(tally(8, "800.00", 8, "800.00"))


def test_two_thirds_of_owners_with_a_hair_less_than_two_thirds_of_the_area_is_no_quorum():
    outcome = decide(Matter.OWNERS_COMMITTEE, tally(8, "799.99", 8, "799.99"))

    assert not outcome.quorum_met
    assert not outcome.passed  # everyone who voted agreed, but too few took part
    assert "参与表决的业主不足，表决无效" in outcome.explain()


def test_two_thirds_of_the_area_with_one_owner_too_few_is_no_quorum():
    assert not quorum_met(tally(7, "1000.00", 7, "1000.00"))


def test_exactly_three_quarters_passes_an_item_6_to_8_matter():
    # 8 take part holding 800 m²; 6 of them (3/4) holding 600 m² (3/4) agree.
    for matter in (Matter.RAISE_MAINTENANCE_FUND, Matter.REBUILD, Matter.COMMON_PARTS_USE):
        assert decide(matter, tally(8, "800.00", 6, "600.00")).passed


def test_three_quarters_of_heads_with_a_hair_less_of_the_area_fails_an_item_6_to_8_matter():
    assert not decide(Matter.REBUILD, tally(8, "800.00", 6, "599.99")).passed


def test_exactly_one_half_fails_an_ordinary_matter_and_one_more_passes():
    half = tally(8, "800.00", 4, "400.00")
    more = tally(8, "800.00", 5, "400.01")

    assert not decide(Matter.PROPERTY_MANAGER, half).passed
    assert decide(Matter.PROPERTY_MANAGER, more).passed


def test_a_majority_of_heads_without_a_majority_of_the_area_fails():
    assert not decide(Matter.MANAGEMENT_STATUTE, tally(8, "800.00", 5, "399.99")).passed


def test_the_explanation_shows_both_counts_both_areas_and_the_rule():
    outcome = decide(Matter.USE_MAINTENANCE_FUND, tally(9, "950.50", 5, "480.25"))

    text = outcome.explain()

    assert "9/12 人" in text and "950.50/1200.00 ㎡" in text
    assert "5/9 人" in text and "480.25/950.50 ㎡" in text
    assert "过半数" in text and text.endswith("。通过")


@pytest.mark.parametrize(
    "counts",
    [(13, "800", 0, "0"), (8, "800", 9, "800"), (8, "1300", 0, "0"), (8, "800", 1, "900")],
)
def test_impossible_counts_are_refused(counts):
    with pytest.raises(ValueError):
        tally(*counts)
