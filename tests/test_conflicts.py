from rag.conflicts import asked_kinds, disagreements, values
from rag.schema import Chunk, Hit


def kinds_keys(text):
    return {(v.kind, v.key) for v in values(text)}


def test_values_of_each_kind():
    assert ("money", ("$", 25e9)) in kinds_keys("The White House requested approximately $25 billion.")
    assert ("money", ("$", 24e9)) in kinds_keys("His initial request for $24 billion in aid")
    assert ("percent", (12.5,)) in kinds_keys("Prices rose 12.5 percent last year")
    assert ("count", ("container", 1000.0)) in kinds_keys("over 1,000 containers of equipment")
    assert ("count", ("container", 1000)) in kinds_keys("more than a thousand containers")
    assert ("count", ("container", 1000.0)) in kinds_keys("sent 1K containers")
    assert ("period", (1, "month")) in kinds_keys("Over the past month, more containers came")
    assert ("period", ("few", "week")) in kinds_keys("in the past few weeks")
    assert ("period", ("few", "week")) in kinds_keys("in recent weeks North Korea")
    assert ("date", ((9, 7), (10, 1))) in kinds_keys("between September 7 and October 1, containers")
    # a year is not a count, and "last month" alone is a point in time, not a span
    assert not any(k == "count" for k, _ in kinds_keys("In 2023 troops moved"))
    assert not any(k == "period" for k, _ in kinds_keys("Speculation surged last month"))


def test_asked_kinds_from_question_or_answer():
    assert asked_kinds("How much aid did they request?") == ("money", "percent")
    assert asked_kinds("How many people died?") == ("count",)
    assert asked_kinds("Over what period were they sent?")[0] == "period"
    assert asked_kinds("When did it start?")[0] == "date"
    assert asked_kinds("What was requested?", "They requested $5 million [1].") == ("money",)
    assert asked_kinds("Who spoke?", "Kirby spoke [1].") == ()
    # "when" inside the question is no question word: no dates to compare (fresh f29)
    assert asked_kinds("Which abbreviation did Kirby use when he named North Korea?", "He used DPRK [1].") == ()
    assert asked_kinds("How many came, and when did they leave?")[0] == "count"


def hit(source: str, text: str, date: str | None = None) -> Hit:
    return Hit(Chunk(source, 0, len(text), text), source.upper(), 0.03, 0.5, 1.0, date)


FIRE_A = "The warehouse fire in Lyon killed 12 people on Monday, officials said."
FIRE_B = "Officials said on Monday that 15 people were killed in the Lyon warehouse fire."
FIRE_C = "At least 12 people were killed in the warehouse fire in Lyon, firefighters said."


def test_articles_giving_different_counts_disagree():
    (d,) = disagreements("How many people did the Lyon warehouse fire kill?",
                         [hit("a.txt", FIRE_A), hit("b.txt", FIRE_B), hit("c.txt", FIRE_C)])
    assert d.kind == "count"
    by_value = {text: sorted(st.hit.chunk.source for st in sts) for text, sts in d.versions}
    assert sorted(by_value.values()) == [["a.txt", "c.txt"], ["b.txt"]]
    first = d.versions[0][1][0]
    assert first.hit.chunk.text[first.start:first.end] in (FIRE_A, FIRE_B, FIRE_C)


def test_agreeing_or_single_articles_do_not_disagree():
    q = "How many people did the Lyon warehouse fire kill?"
    assert disagreements(q, [hit("a.txt", FIRE_A), hit("c.txt", FIRE_C)]) == []
    # two figures in one article are two facts, not a dispute
    assert disagreements(q, [hit("a.txt", FIRE_A + " " + FIRE_B)]) == []
    # a figure in an unrelated sentence is not about the question
    other = hit("d.txt", "The city budget for 40 new buses was approved by the council.")
    assert disagreements(q, [hit("a.txt", FIRE_A), other]) == []
    # the article's own publication date is not a date of the story
    assert disagreements("When did the fire start?",
                         [hit("a.txt", "October 3, 2023\nThe Lyon warehouse fire started on October 2, 2023.",
                              "2023-10-03"),
                          hit("b.txt", "The Lyon warehouse fire started on October 2 at night.")]) == []


def test_one_figure_at_different_times_is_an_update_not_a_dispute():
    q = "How contained was the fire on Saturday evening?"
    day1 = hit("a.txt", "The chief said the fire was 10 percent contained as of Thursday at 7 a.m.")
    day3 = hit("b.txt", "The fire was 35 percent contained by Saturday evening, the department said.")
    said = "The fire was 35 percent contained by Saturday evening [1]."  # the kind asked for comes from the answer
    assert disagreements(q, [day3, day1], said) == []
    # undated, or dated to the same day, the figures still disagree
    other = hit("c.txt", "The fire was 20 percent contained by Saturday evening, the state said.")
    assert len(disagreements(q, [day3, other], said)) == 1
    undated = hit("d.txt", "The fire was 20 percent contained, the state said.")
    assert len(disagreements(q, [day3, undated], said)) == 1


def test_near_copies_count_as_articles():
    copy = hit("b.txt", FIRE_B)
    main = Hit(Chunk("a.txt", 0, len(FIRE_A), FIRE_A), "A", 0.03, 0.5, 1.0, None, (copy,))
    (d,) = disagreements("How many people did the Lyon warehouse fire kill?", [main])
    assert {st.hit.chunk.source for _, sts in d.versions for st in sts} == {"a.txt", "b.txt"}


def test_articles_of_different_days_give_a_figure_over_time_earliest_first():
    q = "What pay rise did the port operator offer?"
    monday = hit("a.txt", "Members rejected the operator's offer of a 4 percent pay rise.", "2025-06-02")
    thursday = hit("b.txt", "The operator raised its pay offer to 5.5 percent on Tuesday.", "2025-06-05")
    said = "The operator offered 5.5 percent [1]."  # the kind asked for comes from the answer
    (d,) = disagreements(q, [thursday, monday], said)
    assert d.over_time and [text for text, _ in d.versions] == ["4 percent", "5.5 percent"]
    # the same day, or an undated article: a dispute, in the order of how well each matches
    same_day = hit("c.txt", "The operator raised its pay offer to 5.5 percent.", "2025-06-02")
    assert not disagreements(q, [same_day, monday], said)[0].over_time
    undated = hit("d.txt", "The operator raised its pay offer to 5.5 percent.")
    assert not disagreements(q, [undated, monday], said)[0].over_time
